package wire

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

const (
	sigV4Algorithm = "AWS4-HMAC-SHA256"
	amzDateFormat  = "20060102T150405Z"
	signingService = "dynamodb" // DynamoDB Streams signs as dynamodb too
	maxClockSkew   = 15 * time.Minute
)

// authenticator checks the SigV4 signature of requests. Like DynamoDB
// Local it requires a well-formed signature from any key; with a pinned key
// pair it also verifies the signature the way the service does.
type authenticator struct {
	region string
	keyID  string // "" accepts any key without verifying signatures
	secret string
	now    func() time.Time
	signer *v4.Signer
}

// sigV4 is the parsed authentication of one request, from the
// Authorization header or from presigned query parameters.
type sigV4 struct {
	presigned     bool
	raw           string // the Authorization header, quoted in messages
	algorithm     string
	credential    string
	signature     string
	signedHeaders string
	date          string
	expires       string // presigned only
}

func authError(code, msg string) error { return &protoError{code: code, message: msg} }

// check returns nil for a request the service would authenticate, and
// otherwise the service's error for it.
func (a *authenticator) check(ctx context.Context, r *http.Request, body []byte) error {
	s, err := parseSigV4(r)
	if err != nil {
		return err
	}
	t, err := s.time()
	if err != nil {
		return err
	}
	verify := a.keyID != ""
	if verify {
		if err := a.checkSkew(s, t); err != nil {
			return err
		}
	}
	if !s.signs("host") {
		return authError("InvalidSignatureException", "'Host' must be a 'SignedHeader' in the AWS Authorization.")
	}
	if s.algorithm != sigV4Algorithm {
		return authError("IncompleteSignatureException", "Unsupported AWS 'algorithm': '"+s.algorithm+"' (only AWS4-HMAC-SHA256 for now). ")
	}
	scope := strings.Split(strings.TrimRight(s.credential, "/"), "/")
	if len(scope) != 5 {
		return authError("IncompleteSignatureException", "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '"+s.credential+"'")
	}
	if !verify {
		return nil
	}
	if err := a.checkScope(scope, s.date, t); err != nil {
		return err
	}
	if scope[0] != a.keyID {
		return authError("UnrecognizedClientException", "The security token included in the request is invalid.")
	}
	if !a.verify(ctx, r, body, s, scope, t) {
		return authError("InvalidSignatureException", "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.")
	}
	return nil
}

// parseSigV4 finds the request's signature parts, with the service's errors
// for a request that has none or lacks some.
func parseSigV4(r *http.Request) (*sigV4, error) {
	header := r.Header.Get("Authorization")
	var query url.Values
	if r.URL.RawQuery != "" {
		query = r.URL.Query()
	}
	_, presigned := query["X-Amz-Algorithm"]
	switch {
	case header != "" && presigned:
		return nil, authError("InvalidSignatureException", "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.")
	case !presigned && !strings.HasPrefix(strings.TrimSpace(header), "AWS4-"):
		return nil, authError("MissingAuthenticationTokenException", "Request is missing Authentication Token")
	}
	if presigned {
		s := &sigV4{
			presigned:     true,
			algorithm:     query.Get("X-Amz-Algorithm"),
			credential:    query.Get("X-Amz-Credential"),
			signature:     query.Get("X-Amz-Signature"),
			signedHeaders: query.Get("X-Amz-SignedHeaders"),
			date:          query.Get("X-Amz-Date"),
			expires:       query.Get("X-Amz-Expires"),
		}
		var msg strings.Builder
		for _, p := range [...]struct{ name, v string }{
			{"X-Amz-Algorithm", s.algorithm}, {"X-Amz-Credential", s.credential},
			{"X-Amz-Signature", s.signature}, {"X-Amz-SignedHeaders", s.signedHeaders},
			{"X-Amz-Date", s.date},
		} {
			if p.v == "" {
				msg.WriteString("AWS query-string parameters must include '" + p.name + "'. ")
			}
		}
		if msg.Len() > 0 {
			return nil, authError("IncompleteSignatureException", msg.String()+"Re-examine the query-string parameters.")
		}
		return s, nil
	}
	s := &sigV4{raw: header}
	// "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...",
	// where the service takes spaces and commas alike as separators.
	rest := strings.TrimSpace(header)
	for i := 0; rest != ""; i++ {
		var f string
		if j := strings.IndexAny(rest, " ,"); j >= 0 {
			f, rest = rest[:j], rest[j+1:]
		} else {
			f, rest = rest, ""
		}
		if i == 0 {
			s.algorithm = f
			continue
		}
		switch k, v, _ := strings.Cut(f, "="); k {
		case "Credential":
			s.credential = v
		case "Signature":
			s.signature = v
		case "SignedHeaders":
			s.signedHeaders = v
		}
	}
	s.date = r.Header.Get("X-Amz-Date")
	if s.date == "" {
		s.date = r.Header.Get("Date")
	}
	var msg strings.Builder
	for _, p := range [...]struct{ name, v string }{
		{"Credential", s.credential}, {"Signature", s.signature}, {"SignedHeaders", s.signedHeaders},
	} {
		if p.v == "" {
			msg.WriteString("Authorization header requires '" + p.name + "' parameter. ")
		}
	}
	if s.date == "" {
		msg.WriteString("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ")
	}
	if msg.Len() > 0 {
		return nil, authError("IncompleteSignatureException", msg.String()+"Authorization="+header)
	}
	return s, nil
}

// time parses the request date: ISO 8601 basic format, or an HTTP Date
// header.
func (s *sigV4) time() (time.Time, error) {
	if t, err := time.Parse(amzDateFormat, s.date); err == nil {
		return t, nil
	}
	if !s.presigned {
		if t, err := http.ParseTime(s.date); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, authError("IncompleteSignatureException", "Date must be in ISO-8601 'basic format'. Got '"+s.date+"'. See http://en.wikipedia.org/wiki/ISO_8601")
}

func (s *sigV4) signs(header string) bool {
	for h := range strings.SplitSeq(s.signedHeaders, ";") {
		if strings.EqualFold(h, header) {
			return true
		}
	}
	return false
}

func (a *authenticator) checkSkew(s *sigV4, t time.Time) error {
	now := a.now().UTC()
	f := func(t time.Time) string { return t.Format(amzDateFormat) }
	if s.presigned {
		secs, err := strconv.Atoi(s.expires)
		if end := t.Add(time.Duration(secs) * time.Second); err == nil && now.After(end) {
			return authError("InvalidSignatureException", "Signature expired: "+f(end)+" is now earlier than "+f(now)+".")
		}
		return nil
	}
	if early := now.Add(-maxClockSkew); t.Before(early) {
		return authError("InvalidSignatureException", "Signature expired: "+f(t)+" is now earlier than "+f(early)+" ("+f(now)+" - 15 min.)")
	}
	if late := now.Add(maxClockSkew); t.After(late) {
		return authError("InvalidSignatureException", "Signature not yet current: "+f(t)+" is still later than "+f(late)+" ("+f(now)+" + 15 min.)")
	}
	return nil
}

// checkScope compares the credential scope keyid/date/region/service/term
// with what this endpoint and the request date allow.
func (a *authenticator) checkScope(scope []string, date string, t time.Time) error {
	var msg []string
	if scope[2] != a.region {
		msg = append(msg, "Credential should be scoped to a valid region, not '"+scope[2]+"'.")
	}
	if scope[3] != signingService {
		msg = append(msg, "Credential should be scoped to correct service: '"+signingService+"'.")
	}
	if scope[4] != "aws4_request" {
		msg = append(msg, "Credential should be scoped with a valid terminator: 'aws4_request', not '"+scope[4]+"'.")
	}
	if day := t.Format("20060102"); scope[1] != day {
		msg = append(msg, "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '"+scope[1]+"' != '"+day+"', from '"+date+"'.")
	}
	if len(msg) > 0 {
		return authError("InvalidSignatureException", strings.Join(msg, " "))
	}
	return nil
}

// verify recomputes the signature with the SDK's signer over a copy of the
// request holding only what the client signed, and compares.
func (a *authenticator) verify(ctx context.Context, r *http.Request, body []byte, s *sigV4, scope []string, t time.Time) bool {
	u := *r.URL
	req := &http.Request{Method: r.Method, URL: &u, Host: r.Host, Header: http.Header{}}
	if req.Host == "" {
		req.Host = r.URL.Host
	}
	for h := range strings.SplitSeq(s.signedHeaders, ";") {
		switch h = strings.ToLower(h); h {
		case "host":
		case "content-length":
			req.ContentLength = int64(len(body))
		default:
			k := textproto.CanonicalMIMEHeaderKey(h)
			req.Header[k] = r.Header.Values(k)
		}
	}
	sum := sha256.Sum256(body)
	hash := hex.EncodeToString(sum[:])
	creds := aws.Credentials{AccessKeyID: a.keyID, SecretAccessKey: a.secret}
	if !s.presigned {
		creds.SessionToken = r.Header.Get("X-Amz-Security-Token")
		if err := a.signer.SignHTTP(ctx, creds, req, hash, scope[3], scope[2], t); err != nil {
			return false
		}
		_, got, _ := strings.Cut(req.Header.Get("Authorization"), "Signature=")
		return subtle.ConstantTimeCompare([]byte(got), []byte(s.signature)) == 1
	}
	q := u.Query()
	creds.SessionToken = q.Get("X-Amz-Security-Token")
	q.Del("X-Amz-Signature")
	u.RawQuery = q.Encode()
	for _, h := range [...]string{hash, "UNSIGNED-PAYLOAD"} {
		signed, _, err := a.signer.PresignHTTP(ctx, creds, req, h, scope[3], scope[2], t)
		if err != nil {
			return false
		}
		su, err := url.Parse(signed)
		if err == nil && subtle.ConstantTimeCompare([]byte(su.Query().Get("X-Amz-Signature")), []byte(s.signature)) == 1 {
			return true
		}
	}
	return false
}
