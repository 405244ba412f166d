package lambda

import (
	"bytes"
	"encoding/base64"
	"net/http"
	"strings"
	"unicode/utf8"
)

// recorder is the http.ResponseWriter of a request that came as a Lambda
// event: it keeps the response in memory until the handler returns, then
// becomes the event's response.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
	st     *state
}

func newRecorder(st *state) *recorder {
	return &recorder{header: make(http.Header), st: st}
}

func (w *recorder) Header() http.Header { return w.header }

func (w *recorder) WriteHeader(code int) {
	if w.status != 0 || code < 200 && code != http.StatusSwitchingProtocols {
		return // like net/http: the first final status wins; 1xx are not final
	}
	w.status = code
	w.st.status = code
}

func (w *recorder) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	return w.body.Write(p)
}

func (w *recorder) WriteString(s string) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	return w.body.WriteString(s)
}

// reset drops what a handler wrote before it panicked.
func (w *recorder) reset() {
	clear(w.header)
	w.status = 0
	w.st.status = 0
	w.body.Reset()
}

// finish settles the status and Content-Type and encodes the body: text
// media types that are valid UTF-8 go as they are, anything else in
// base64.
func (w *recorder) finish(method string) (status int, body string, b64 bool) {
	status = w.status
	if status == 0 {
		status = http.StatusOK
		w.st.status = status
	}
	b := w.body.Bytes()
	if method == http.MethodHead || !bodyAllowed(status) {
		return status, "", false
	}
	if _, ok := w.header["Content-Type"]; !ok && len(b) > 0 {
		w.header.Set("Content-Type", http.DetectContentType(b))
	}
	if len(b) == 0 {
		return status, "", false
	}
	if isText(w.header.Get("Content-Type"), w.header.Get("Content-Encoding")) && utf8.Valid(b) {
		return status, string(b), false
	}
	return status, base64.StdEncoding.EncodeToString(b), true
}

func bodyAllowed(status int) bool {
	return status >= 200 && status != http.StatusNoContent && status != http.StatusNotModified
}

// isText reports whether a body of this type travels as text in the
// event's JSON. Everything compressed, and every other media type, is
// binary: API Gateway decodes base64 bodies back into bytes for the
// client when the API allows binary media types, and function URLs and
// HTTP APIs always do.
func isText(contentType, contentEncoding string) bool {
	if contentEncoding != "" && !strings.EqualFold(contentEncoding, "identity") {
		return false
	}
	if contentType == "" {
		return false
	}
	mt := mediaType(contentType)
	if strings.HasPrefix(mt, "text/") || strings.HasSuffix(mt, "+json") || strings.HasSuffix(mt, "+xml") {
		return true
	}
	switch mt {
	case "application/json", "application/xml", "application/javascript", "application/ecmascript",
		"application/x-www-form-urlencoded", "application/graphql", "application/x-ndjson",
		"application/yaml", "application/x-yaml", "application/toml", "application/csv":
		return true
	}
	return false
}

// mediaType returns the lower-case type/subtype of a Content-Type, without
// parameters; cheaper than mime.ParseMediaType, which builds a map.
func mediaType(ct string) string {
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	ct = strings.TrimSpace(ct)
	for i := 0; i < len(ct); i++ {
		if c := ct[i]; c >= 'A' && c <= 'Z' {
			return strings.ToLower(ct)
		}
	}
	return ct
}

// multiHeaders copies h for a REST API response, every value kept.
func multiHeaders(h http.Header) map[string][]string {
	if len(h) == 0 {
		return nil
	}
	out := make(map[string][]string, len(h))
	for k, v := range h {
		if len(v) > 0 {
			out[k] = v
		}
	}
	return out
}

// singleHeaders flattens h for a payload 2.0 response: Set-Cookie values
// go to cookies, one entry each; other repeated headers are joined with
// commas, which is what HTTP API does with them anyway.
func singleHeaders(h http.Header) (map[string]string, []string) {
	if len(h) == 0 {
		return nil, nil
	}
	out := make(map[string]string, len(h))
	var cookies []string
	for k, v := range h {
		switch {
		case len(v) == 0:
		case k == "Set-Cookie":
			cookies = v
		case len(v) == 1:
			out[k] = v[0]
		default:
			out[k] = strings.Join(v, ", ")
		}
	}
	return out, cookies
}

// trackWriter is the http.ResponseWriter of a request served by net/http:
// it notes the status for the access log and whether anything was written.
type trackWriter struct {
	http.ResponseWriter
	st      *state
	written bool
}

func (w *trackWriter) WriteHeader(code int) {
	if !w.written && (code >= 200 || code == http.StatusSwitchingProtocols) {
		w.written = true
		w.st.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *trackWriter) Write(p []byte) (int, error) {
	if !w.written {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the server's writer (Flush,
// deadlines, hijacking).
func (w *trackWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
