package lambda

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"os/exec"
	"testing"
)

func TestDefaultLogger(t *testing.T) {
	t.Setenv("AWS_LAMBDA_FUNCTION_NAME", "")
	if _, ok := defaultLogger().Handler().(*slog.TextHandler); !ok {
		t.Errorf("outside Lambda: %T, want text", defaultLogger().Handler())
	}
	t.Setenv("AWS_LAMBDA_FUNCTION_NAME", "scores")
	if _, ok := defaultLogger().Handler().(*slog.JSONHandler); !ok {
		t.Errorf("in Lambda: %T, want JSON", defaultLogger().Handler())
	}
	t.Setenv("AWS_LAMBDA_LOG_LEVEL", "WARN")
	var buf bytes.Buffer
	l := slog.New(lambdaJSON(&buf))
	l.Info("dropped")
	l.Warn("kept", "k", "v")
	var m map[string]any
	if err := json.Unmarshal(buf.Bytes(), &m); err != nil {
		t.Fatalf("%q: %v", buf.String(), err)
	}
	if m["message"] != "kept" || m["timestamp"] == nil || m["level"] != "WARN" {
		t.Errorf("line %v: want Lambda's keys", m)
	}
}

func TestSplitPath(t *testing.T) {
	tests := []struct{ in, path, raw string }{
		{"", "/", ""},
		{"/a/b", "/a/b", ""},
		{"a/b", "/a/b", ""},
		{"/a%20b", "/a b", "/a%20b"},
		{"/a%2Fb/c", "/a/b/c", "/a%2Fb/c"},
		{"/a b", "/a b", ""},   // decoded already
		{"/100%", "/100%", ""}, // a bare % cannot be escaped
		{"/%zz", "/%zz", ""},   // nor can a bad escape
		{"/é", "/é", ""},       // non-ASCII: decoded
		{"/q?x", "/q?x", ""},   // a '?' in a path was decoded
		{"/caf%C3%A9", "/café", "/caf%C3%A9"},
	}
	for _, tt := range tests {
		path, raw := splitPath(tt.in)
		if path != tt.path || raw != tt.raw {
			t.Errorf("splitPath(%q) = %q, %q; want %q, %q", tt.in, path, raw, tt.path, tt.raw)
		}
	}
}

func TestExpand(t *testing.T) {
	tests := []struct {
		tmpl   string
		params map[string]string
		want   string
		ok     bool
	}{
		{"/items/{id}", map[string]string{"id": "7"}, "/items/7", true},
		{"/{proxy+}", map[string]string{"proxy": "a/b"}, "/a/b", true},
		{"/a/{x}/b/{y}", map[string]string{"x": "1", "y": "2"}, "/a/1/b/2", true},
		{"/items/{id}", nil, "", false},
		{"/items/{id", map[string]string{"id": "1"}, "", false},
		{"/static", nil, "/static", true},
		{"", nil, "", false},
	}
	for _, tt := range tests {
		got, ok := expand(tt.tmpl, tt.params)
		if got != tt.want || ok != tt.ok {
			t.Errorf("expand(%q) = %q, %v; want %q, %v", tt.tmpl, got, ok, tt.want, tt.ok)
		}
	}
}

// TestNoRPCBuild builds the package the way a provided.al2023 bootstrap
// is built.
func TestNoRPCBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("builds with the go tool")
	}
	out, err := exec.Command("go", "build", "-tags", "lambda.norpc", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build -tags lambda.norpc: %v\n%s", err, out)
	}
}
