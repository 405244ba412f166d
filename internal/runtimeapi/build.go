package runtimeapi

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// Build compiles the Go main package in pkgDir into outDir/bootstrap, the
// way a provided.al2023 function is built:
//
//	CGO_ENABLED=0 go build -tags lambda.norpc -trimpath -ldflags='-s -w' -o outDir/bootstrap
//
// target is "" for this machine (what a local run needs), an architecture
// such as "arm64" for this OS on it, or "linux/arm64" for a deployment
// package. Build returns the binary's path; a failed build's error carries
// the compiler's output.
func Build(ctx context.Context, pkgDir, outDir, target string) (string, error) {
	goos, goarch := runtime.GOOS, runtime.GOARCH
	if target != "" {
		if os_, arch, ok := strings.Cut(target, "/"); ok {
			goos, goarch = os_, arch
		} else {
			goarch = target
		}
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return "", fmt.Errorf("runtimeapi: build: %w", err)
	}
	out, err := filepath.Abs(filepath.Join(outDir, "bootstrap"))
	if err != nil {
		return "", fmt.Errorf("runtimeapi: build: %w", err)
	}
	cmd := exec.CommandContext(ctx, "go", "build", "-tags", "lambda.norpc", "-trimpath",
		"-ldflags=-s -w", "-o", out, ".")
	cmd.Dir = pkgDir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+goos, "GOARCH="+goarch)
	var msg bytes.Buffer
	cmd.Stdout, cmd.Stderr = &msg, &msg
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("runtimeapi: go build %s for %s/%s: %w\n%s", pkgDir, goos, goarch, err,
			bytes.TrimSpace(msg.Bytes()))
	}
	return out, nil
}
