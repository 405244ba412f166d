// Command fn is the function the runtimeapi tests run: each event's op picks
// an outcome Lambda distinguishes. FN_INIT makes the init phase fail.
package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

type event struct {
	Op   string `json:"op"`
	Msg  string `json:"msg,omitempty"`
	Ms   int    `json:"ms,omitempty"`
	Code int    `json:"code,omitempty"`
	Size int    `json:"size,omitempty"`
}

type echo struct {
	Msg   string `json:"msg"`
	PID   int    `json:"pid"`
	Count int    `json:"count"`
}

type contextInfo struct {
	DeadlineMs  int64             `json:"deadlineMs"`
	RequestID   string            `json:"requestId"`
	FunctionARN string            `json:"functionArn"`
	TraceEnv    string            `json:"traceEnv"`
	Custom      map[string]string `json:"custom"`
	IdentityID  string            `json:"identityId"`
	Env         map[string]string `json:"env"`
	Cwd         string            `json:"cwd"`
}

var count int

func handle(ctx context.Context, e event) (any, error) {
	count++
	switch e.Op {
	case "ping":
		return "pong", nil
	case "echo":
		fmt.Println("stdout:", e.Msg)
		log.Print("stderr: ", e.Msg)
		return echo{Msg: e.Msg, PID: os.Getpid(), Count: count}, nil
	case "error":
		return nil, errors.New(e.Msg)
	case "panic":
		panic(e.Msg)
	case "sleep":
		fmt.Println("sleeping", e.Ms, "ms")
		time.Sleep(time.Duration(e.Ms) * time.Millisecond) // ignores ctx on purpose
		return "slept", nil
	case "exit":
		fmt.Println("exiting with", e.Code)
		os.Exit(e.Code)
	case "exitlater": // dies while idle, after replying
		go func() {
			time.Sleep(time.Duration(e.Ms) * time.Millisecond)
			fmt.Println("exiting while idle")
			os.Exit(9)
		}()
		return os.Getpid(), nil
	case "big":
		return strings.Repeat("x", e.Size), nil
	case "spawn":
		cmd := exec.Command("sleep", "60")
		if err := cmd.Start(); err != nil {
			return nil, err
		}
		return cmd.Process.Pid, nil
	case "context":
		lc, _ := lambdacontext.FromContext(ctx)
		dl, _ := ctx.Deadline()
		env := map[string]string{}
		for _, kv := range os.Environ() {
			k, v, _ := strings.Cut(kv, "=")
			env[k] = v
		}
		cwd, _ := os.Getwd()
		return contextInfo{
			DeadlineMs:  dl.UnixMilli(),
			RequestID:   lc.AwsRequestID,
			FunctionARN: lc.InvokedFunctionArn,
			TraceEnv:    os.Getenv("_X_AMZN_TRACE_ID"),
			Custom:      lc.ClientContext.Custom,
			IdentityID:  lc.Identity.CognitoIdentityID,
			Env:         env,
			Cwd:         cwd,
		}, nil
	}
	return nil, fmt.Errorf("unknown op %q", e.Op)
}

func main() {
	fmt.Println("init: pid", os.Getpid())
	switch os.Getenv("FN_INIT") {
	case "exit":
		fmt.Println("init: failing")
		os.Exit(3)
	case "error":
		// What a custom runtime does when it cannot load the handler.
		url := "http://" + os.Getenv("AWS_LAMBDA_RUNTIME_API") + "/2018-06-01/runtime/init/error"
		req, _ := http.NewRequest("POST", url, bytes.NewBufferString(
			`{"errorMessage":"cannot load handler","errorType":"Runtime.HandlerNotFound"}`))
		req.Header.Set("Lambda-Runtime-Function-Error-Type", "Runtime.HandlerNotFound")
		if resp, err := http.DefaultClient.Do(req); err == nil {
			fmt.Println("init/error:", resp.StatusCode)
			resp.Body.Close()
		}
		os.Exit(1)
	}
	lambda.Start(handle)
}
