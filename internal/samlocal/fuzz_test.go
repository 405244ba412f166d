package samlocal

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// FuzzFilter: any event-filter pattern either fails to parse with an error
// or matches any event without panicking.
func FuzzFilter(f *testing.F) {
	for _, seed := range []string{
		`{"eventName":["REMOVE"]}`,
		`{"dynamodb":{"OldImage":{"type":{"S":["session"]}}}}`,
		`{"eventName":[{"anything-but":["INSERT"]}]}`,
		`{"dynamodb":{"NewImage":{"n":{"N":[{"numeric":[">",0,"<=",5]}]}}}}`,
		`{"a":[{"prefix":"x"}],"b":[{"exists":false}]}`,
		`{}`, `[]`, `{"a":1}`,
	} {
		f.Add(seed, `{"eventName":"REMOVE","dynamodb":{"OldImage":{"type":{"S":"session"}},"NewImage":{"n":{"N":"3"}}}}`)
	}
	f.Fuzz(func(t *testing.T, pattern, event string) {
		flt, err := ParseFilter(pattern)
		if err != nil {
			return
		}
		var ev any
		if json.Unmarshal([]byte(event), &ev) != nil {
			return
		}
		flt.Match(ev)
	})
}

// FuzzBatchFailure: whatever a stream function returns, reading its
// batchItemFailures never panics.
func FuzzBatchFailure(f *testing.F) {
	f.Add([]byte(`{"batchItemFailures":[{"itemIdentifier":"2"}]}`))
	f.Add([]byte(`{"batchItemFailures":[{"itemIdentifier":null}]}`))
	f.Add([]byte(`null`))
	f.Add([]byte(`"x"`))
	f.Fuzz(func(t *testing.T, payload []byte) {
		_, _ = batchFailure(payload, []string{"1", "2", "3"})
	})
}

// FuzzLoad: a malformed template is an error, never a panic.
func FuzzLoad(f *testing.F) {
	if b, err := os.ReadFile(filepath.Join("..", "..", "template.yaml")); err == nil {
		f.Add(b)
	}
	f.Add([]byte("Resources: {}"))
	f.Add([]byte("Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties: {CodeUri: !Ref X}\n"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, tpl []byte) {
		path := filepath.Join(dir, "template.yaml")
		if err := os.WriteFile(path, tpl, 0o644); err != nil {
			t.Fatal(err)
		}
		_, _ = Load(path, LoadOptions{})
	})
}
