package apptest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// Fixture is a request of events/*.json, saved in both API Gateway shapes:
// events/<Name>.v1.json (REST API) and events/<Name>.v2.json (HTTP API).
// Status is what it gets from the app in the state the test sets up.
type Fixture struct {
	Name   string
	Req    Request
	Status int
}

// Files are the fixture's file names and events.
func (f Fixture) Files() map[string]any {
	return map[string]any{f.Name + ".v1.json": f.Req.V1(), f.Name + ".v2.json": withoutMTLS(f.Req.V2())}
}

// withoutMTLS drops the empty requestContext.authentication that
// aws-lambda-go writes for every payload 2.0 event: API Gateway sends it
// only with mutual TLS.
func withoutMTLS(ev any) map[string]any {
	b, _ := json.Marshal(ev)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	if rc, ok := m["requestContext"].(map[string]any); ok {
		delete(rc, "authentication")
	}
	return m
}

// Sync writes event to dir/name with -update; otherwise it fails the test
// if the file is missing or says something else (rerun with -update).
func Sync(t testing.TB, dir, name string, event any) {
	t.Helper()
	path := filepath.Join(dir, name)
	want, err := json.MarshalIndent(event, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	want = append(want, '\n')
	if *Update {
		if err := os.WriteFile(path, want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (generate the fixtures with go test -run Fixtures -update)", err)
	}
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	_ = json.Unmarshal(want, &w)
	if !reflect.DeepEqual(g, w) {
		t.Errorf("%s is stale: rerun with -update\nwant:\n%s", path, want)
	}
}

// Read returns a fixture file's bytes.
func Read(t testing.TB, dir, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
