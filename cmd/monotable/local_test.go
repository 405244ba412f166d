package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/smithy-go"
)

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{
		"1": 1, "100B": 100, "24KB": 24 << 10, "64MB": 64 << 20, "2gb": 2 << 30, " 8 MB ": 8 << 20,
	} {
		if got, err := parseSize(in); err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "0", "-1KB", "MB", "1.5MB", "1TB", "99999999999GB"} {
		if got, err := parseSize(in); err == nil {
			t.Errorf("parseSize(%q) = %d, want an error", in, got)
		}
	}
}

func TestLocalFlags(t *testing.T) {
	for _, tc := range []struct {
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{[]string{"--version"}, 0, "monotable dev", ""},
		{[]string{"--credentials", "nosecret"}, 2, "", "--credentials wants ID:SECRET"},
		{[]string{"--credentials", ":secret"}, 2, "", "--credentials wants ID:SECRET"},
		{[]string{"--compact-size", "lots"}, 2, "", "--compact-size"},
		{[]string{"--ttl-sweep", "-1s"}, 2, "", "--ttl-sweep"},
		{[]string{"extra"}, 2, "", `unexpected argument "extra"`},
		{[]string{"--nope"}, 2, "", "flag provided but not defined"},
		{[]string{"--help"}, 0, "", "-data DIR"},
	} {
		var stdout, stderr bytes.Buffer
		code := run(append([]string{"local"}, tc.args...), &stdout, &stderr)
		if code != tc.code || !strings.Contains(stdout.String(), tc.stdout) || !strings.Contains(stderr.String(), tc.stderr) {
			t.Errorf("local %v: exit %d, stdout %q, stderr %q; want exit %d with %q / %q",
				tc.args, code, stdout.String(), stderr.String(), tc.code, tc.stdout, tc.stderr)
		}
	}
}

// TestLocalCredentialsAndDebug: with --credentials only that key pair is
// served; --debug logs a line per request.
func TestLocalCredentialsAndDebug(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped in -short mode: builds the binary")
	}
	c := startChild(t, buildBinary(t), "", "--credentials", "AKIDLOCAL:s3cret", "--debug")
	defer func() {
		c.cmd.Process.Signal(syscall.SIGTERM)
		if err := <-c.exited; err != nil {
			t.Errorf("SIGTERM: %v", err)
		}
	}()
	list := func(id, secret string) error {
		client := dynamodb.New(dynamodb.Options{
			Region: "us-east-1", BaseEndpoint: aws.String(c.url), Retryer: aws.NopRetryer{},
			Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
				return aws.Credentials{AccessKeyID: id, SecretAccessKey: secret}, nil
			}),
		})
		_, err := client.ListTables(context.Background(), &dynamodb.ListTablesInput{})
		return err
	}
	if err := list("AKIDLOCAL", "s3cret"); err != nil {
		t.Fatalf("the pinned key: %v", err)
	}
	var api smithy.APIError
	if err := list("AKIDLOCAL", "wrong"); !errors.As(err, &api) || api.ErrorCode() != "InvalidSignatureException" {
		t.Fatalf("a wrong secret: %v", err)
	}
	if err := list("dummy", "dummy"); !errors.As(err, &api) || api.ErrorCode() != "UnrecognizedClientException" {
		t.Fatalf("another key: %v", err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(c.stderr(), "op=ListTables status=200") && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if log := c.stderr(); !strings.Contains(log, "op=ListTables status=200") || !strings.Contains(log, "op=ListTables status=400") {
		t.Fatalf("--debug logged no request lines:\n%s", log)
	}
}
