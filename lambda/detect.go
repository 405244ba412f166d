package lambda

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// Telling events apart. The sure way decodes the payload into probe, which
// costs a whole JSON decode before the real one; most invocations are HTTP
// events whose kind a walk over a few keys shows, so eventKind tries that
// walk first and falls back to the probe whenever the walk is unsure.

// eventKind returns which event a payload is.
func eventKind(payload []byte) (string, error) {
	if kind, ok := quickKind(payload); ok {
		return kind, nil
	}
	return detect(payload)
}

// decodeError reports a payload that failed to decode as the event its
// kind said: a payload the probe itself refuses gets the probe's error, so
// the quick walk never changes which error a payload gets.
func decodeError(payload []byte, what string, err error) error {
	if _, perr := detect(payload); perr != nil {
		return perr
	}
	return fmt.Errorf("lambda: decoding %s event: %w", what, err)
}

// probe is the part of every supported event that tells them apart.
type probe struct {
	Version        string `json:"version"`
	HTTPMethod     string `json:"httpMethod"`
	RequestContext struct {
		DomainName string `json:"domainName"`
		HTTP       struct {
			Method string `json:"method"`
		} `json:"http"`
	} `json:"requestContext"`
	Records []struct {
		EventSource string `json:"eventSource"`
	} `json:"Records"`
}

func detect(payload []byte) (string, error) {
	var p probe
	if err := json.Unmarshal(payload, &p); err != nil {
		return "", fmt.Errorf("%w: %v", ErrUnsupportedEvent, err)
	}
	switch {
	case len(p.Records) > 0:
		for _, r := range p.Records {
			if r.EventSource != "aws:dynamodb" {
				return "", fmt.Errorf("%w: records from %q", ErrUnsupportedEvent, r.EventSource)
			}
		}
		return sourceStream, nil
	case p.RequestContext.HTTP.Method != "" && (p.Version == "2.0" || p.Version == ""):
		if strings.Contains(p.RequestContext.DomainName, ".lambda-url.") {
			return sourceURL, nil
		}
		return sourceHTTP, nil
	case p.HTTPMethod != "":
		return sourceREST, nil
	}
	return "", ErrUnsupportedEvent
}

// quickKind tells an HTTP event's kind from its keys without decoding it;
// ok is false when it cannot be sure (stream batches, escaped or repeated
// keys, keys that differ from the probe's only in case, values that are
// not plain strings, malformed input), and then the probe decides.
func quickKind(payload []byte) (kind string, ok bool) {
	var version, httpMethod, domain, method string
	top := []string{"Records", "version", "httpMethod", "requestContext"}
	ok = members(payload, top, func(key string, val []byte) bool {
		switch key {
		case "Records":
			return false // the probe checks every record's source
		case "version":
			version, ok = plainString(val)
			return ok
		case "httpMethod":
			httpMethod, ok = plainString(val)
			return ok
		default: // requestContext
			return members(val, []string{"domainName", "http"}, func(key string, val []byte) bool {
				if key == "domainName" {
					domain, ok = plainString(val)
					return ok
				}
				return members(val, []string{"method"}, func(_ string, val []byte) bool {
					method, ok = plainString(val)
					return ok
				})
			})
		}
	})
	switch {
	case !ok:
		return "", false
	case method != "" && (version == "2.0" || version == ""):
		if strings.Contains(domain, ".lambda-url.") {
			return sourceURL, true
		}
		return sourceHTTP, true
	case method == "" && httpMethod != "":
		return sourceREST, true
	}
	return "", false
}

// members walks the JSON object b and calls fn with the raw value of each
// key in keys; it returns false, and stops, when fn does, when b is not an
// object it can walk, or when a key matches one of keys only in case, is
// escaped, or comes twice. Values it skips are not validated.
func members(b []byte, keys []string, fn func(key string, val []byte) bool) bool {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return false
	}
	seen := 0 // bit k: keys[k] met
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return skipSpace(b, i+1) == len(b)
	}
	for i < len(b) {
		if b[i] != '"' {
			return false
		}
		end := stringEnd(b, i)
		if end < 0 {
			return false
		}
		key := b[i+1 : end-1]
		i = skipSpace(b, end)
		if i >= len(b) || b[i] != ':' {
			return false
		}
		i = skipSpace(b, i+1)
		vend := valueEnd(b, i)
		if vend < 0 {
			return false
		}
		for k, want := range keys {
			if !bytes.EqualFold(key, []byte(want)) && !bytes.Contains(key, []byte{'\\'}) {
				continue
			}
			if string(key) != want || seen&(1<<k) != 0 {
				return false
			}
			seen |= 1 << k
			if !fn(want, b[i:vend]) {
				return false
			}
		}
		i = skipSpace(b, vend)
		if i >= len(b) {
			return false
		}
		switch b[i] {
		case ',':
			i = skipSpace(b, i+1)
		case '}':
			return skipSpace(b, i+1) == len(b)
		default:
			return false
		}
	}
	return false
}

// plainString is a JSON string without escapes, unquoted.
func plainString(v []byte) (string, bool) {
	if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' || bytes.IndexByte(v, '\\') >= 0 {
		return "", false
	}
	return string(v[1 : len(v)-1]), true
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// stringEnd returns the index just past the string that starts at b[i].
func stringEnd(b []byte, i int) int {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return -1
}

// valueEnd returns the index just past the JSON value at b[i], matching
// brackets and skipping strings, or -1.
func valueEnd(b []byte, i int) int {
	if i >= len(b) {
		return -1
	}
	switch b[i] {
	case '"':
		return stringEnd(b, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				end := stringEnd(b, j)
				if end < 0 {
					return -1
				}
				j = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return -1
	}
	j := i
	for j < len(b) && !strings.ContainsRune(",}] \t\r\n", rune(b[j])) {
		j++
	}
	if j == i {
		return -1
	}
	return j
}
