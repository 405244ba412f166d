package lambda

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// inbound is what the three HTTP event shapes have in common, gathered
// before the *http.Request is built.
type inbound struct {
	method   string
	path     string // the path the app routes: no stage, no base path; escaped or not, see splitPath
	rawQuery string
	header   http.Header
	body     string
	base64   bool
	host     string
	remote   string
	proto    string
}

// request builds the *http.Request for an event. A body that is not valid
// base64 is recorded in st and answered with 400 before routing.
func (in *inbound) request(ctx context.Context, st *state) *http.Request {
	u := &url.URL{RawQuery: in.rawQuery}
	u.Path, u.RawPath = splitPath(in.path)
	r := &http.Request{
		Method:     strings.ToUpper(in.method),
		URL:        u,
		Proto:      "HTTP/1.1",
		ProtoMajor: 1,
		ProtoMinor: 1,
		Header:     in.header,
		Host:       in.host,
		RemoteAddr: in.remote,
		Body:       http.NoBody,
	}
	if r.Method == "" {
		r.Method = http.MethodGet
	}
	if in.proto != "" {
		if major, minor, ok := http.ParseHTTPVersion(in.proto); ok {
			r.Proto, r.ProtoMajor, r.ProtoMinor = in.proto, major, minor
		}
	}
	if h := in.header.Get("Host"); h != "" {
		r.Host = h // promoted out of the header, as net/http does
		in.header.Del("Host")
	}
	r.RequestURI = u.RequestURI()
	if in.body != "" {
		b := []byte(in.body)
		if in.base64 {
			var err error
			if b, err = decodeBase64(in.body); err != nil {
				st.badRequest = errors.New("request body is not valid base64")
				b = nil
			}
		}
		if len(b) > 0 {
			r.Body = &eventBody{b: b}
			r.ContentLength = int64(len(b))
			r.GetBody = func() (io.ReadCloser, error) { return &eventBody{b: b}, nil }
		}
	}
	return r.WithContext(ctx)
}

func decodeBase64(s string) ([]byte, error) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		// Some clients and test tools drop the padding.
		if b2, err2 := base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "=")); err2 == nil {
			return b2, nil
		}
	}
	return b, err
}

// eventBody is a request body already in memory. Binding reads it in
// place instead of copying it.
type eventBody struct {
	b   []byte
	off int
}

func (e *eventBody) Read(p []byte) (int, error) {
	if e.off >= len(e.b) {
		return 0, io.EOF
	}
	n := copy(p, e.b[e.off:])
	e.off += n
	return n, nil
}

func (e *eventBody) Close() error { return nil }

// rest returns the unread bytes and marks them read.
func (e *eventBody) rest() []byte {
	b := e.b[e.off:]
	e.off = len(e.b)
	return b
}

// splitPath returns the decoded path and, when it differs from Go's own
// encoding of it, the escaped one. Event sources disagree on encoding: REST
// APIs and function URLs pass the path as the client sent it, HTTP APIs
// decode it first. A path that is a valid escaped path (every byte allowed
// in one, every % followed by two hex digits) is taken as escaped; anything
// else (a space, a '?', non-ASCII, a bare '%') can only be decoded.
func splitPath(p string) (path, raw string) {
	if p == "" {
		return "/", ""
	}
	if p[0] != '/' {
		p = "/" + p
	}
	if !looksEscaped(p) {
		return p, ""
	}
	if !strings.Contains(p, "%") {
		return p, ""
	}
	dec, err := url.PathUnescape(p)
	if err != nil {
		return p, ""
	}
	return dec, p
}

func looksEscaped(p string) bool {
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '%':
			if i+2 >= len(p) || !ishex(p[i+1]) || !ishex(p[i+2]) {
				return false
			}
			i += 2
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("-._~!$&'()*+,;=:@/", c) >= 0:
		default:
			return false
		}
	}
	return true
}

func ishex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// expand fills a route template ("/items/{id}", "/{proxy+}") with the
// event's path parameters. This is the path relative to the API whatever
// the stage, custom domain or base path mapping in front of it, which is
// why it is preferred to the event's path when the event has one.
func expand(tmpl string, params map[string]string) (string, bool) {
	if !strings.Contains(tmpl, "{") {
		return tmpl, tmpl != ""
	}
	var b strings.Builder
	b.Grow(len(tmpl) + 16)
	for {
		i := strings.IndexByte(tmpl, '{')
		if i < 0 {
			b.WriteString(tmpl)
			return b.String(), true
		}
		j := strings.IndexByte(tmpl[i:], '}')
		if j < 0 {
			return "", false
		}
		name := strings.TrimSuffix(tmpl[i+1:i+j], "+")
		v, ok := params[name]
		if !ok {
			return "", false
		}
		b.WriteString(tmpl[:i])
		b.WriteString(v)
		tmpl = tmpl[i+j+1:]
	}
}

// stripPrefix removes a base path ("/api") from p, segment-wise.
func stripPrefix(p, prefix string) string {
	if prefix == "" || !strings.HasPrefix(p, prefix) {
		return p
	}
	rest := p[len(prefix):]
	if rest == "" {
		return "/"
	}
	if rest[0] != '/' {
		return p
	}
	return rest
}

// headerFrom builds a canonical http.Header from the event's header maps.
// Multi-value maps win: they hold every value, the single-value map only
// the last.
func headerFrom(single map[string]string, multi map[string][]string) http.Header {
	h := make(http.Header, max(len(single), len(multi))+1)
	if len(multi) > 0 {
		for k, vs := range multi {
			ck := http.CanonicalHeaderKey(k)
			h[ck] = append(h[ck], vs...)
		}
		return h
	}
	// One backing array for every value: a header map per request costs
	// two allocations, not one per header.
	vals := make([]string, 0, len(single))
	for k, v := range single {
		ck := http.CanonicalHeaderKey(k)
		if old, dup := h[ck]; dup { // keys differing only in case
			h[ck] = append(old[:len(old):len(old)], v)
			continue
		}
		vals = append(vals, v)
		h[ck] = vals[len(vals)-1 : len(vals) : len(vals)]
	}
	return h
}
