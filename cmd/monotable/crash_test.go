package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// TestCrashRecovery is the --data promise, tested on the real binary: it
// is SIGKILLed in the middle of a concurrent write load, restarted on the
// same directory, and must hold every write it acknowledged (and no write
// it never received), with transactions whole. Three kills: one mid-load,
// one early, one the moment a snapshot starts.
func TestCrashRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped in -short mode: builds and kills the binary")
	}
	if runtime.GOOS == "windows" {
		t.Skip("skipped: needs SIGKILL")
	}
	start := time.Now()
	bin := buildBinary(t)
	t.Logf("built %s in %v (race: %v)", filepath.Base(bin), time.Since(start).Round(time.Millisecond), raceEnabled)

	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, seed))
	t.Logf("seed %d", seed)

	dir := t.TempDir()
	l := newLedger()
	rounds := []struct {
		name     string
		flags    []string
		kill     time.Duration // after this much load, unless snapshot
		snapshot bool
	}{
		{name: "mid-load", kill: time.Duration(300+rng.IntN(500)) * time.Millisecond},
		{name: "early", kill: time.Duration(20+rng.IntN(200)) * time.Millisecond},
		{name: "during a snapshot", flags: []string{"--compact-size", "24KB"}, snapshot: true},
	}
	for r, round := range rounds {
		roundStart := time.Now()
		c := startChild(t, bin, dir, round.flags...)
		client := newClient(c.url)
		if r == 0 {
			createTable(t, client)
		} else {
			l.verify(t, client, "after kill "+rounds[r-1].name)
		}
		loadStart := time.Now()
		ctx, stop := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		for w := range 6 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				l.write(ctx, client, r, w)
			}()
		}
		var killedIn string
		if round.snapshot {
			// Some load first, then the next snapshot to start.
			time.Sleep(200 * time.Millisecond)
			for len(c.snapshots) > 0 {
				<-c.snapshots
			}
			select {
			case <-c.snapshots:
				killedIn = "snapshot"
			case <-time.After(10 * time.Second):
				t.Error("no snapshot started within 10s of load")
			}
		} else {
			time.Sleep(round.kill)
		}
		l.killing()
		if err := c.cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		loaded := time.Since(loadStart)
		<-c.exited
		wg.Wait()
		stop()
		if _, err := os.Stat(filepath.Join(dir, "snapshot.tmp")); err == nil {
			killedIn = "snapshot (snapshot.tmp left behind)"
		}
		acked, unknown := l.round(r)
		t.Logf("round %d (%s): killed after %v of load%s: %d writes acknowledged, %d in flight; round took %v",
			r, round.name, loaded.Round(time.Millisecond), map[bool]string{true: " during a " + killedIn}[killedIn != ""],
			acked, unknown, time.Since(roundStart).Round(time.Millisecond))
		if acked == 0 {
			t.Errorf("round %d acknowledged no writes: the load did not run", r)
		}
		if t.Failed() {
			t.Logf("child stderr:\n%s", c.stderr())
			return
		}
	}

	// Last restart: everything is there, then a clean shutdown keeps it.
	c := startChild(t, bin, dir)
	client := newClient(c.url)
	l.verify(t, client, "after kill "+rounds[len(rounds)-1].name)
	if err := c.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := <-c.exited; err != nil {
		t.Fatalf("SIGTERM: %v\n%s", err, c.stderr())
	}
	c = startChild(t, bin, dir)
	l.verify(t, newClient(c.url), "after a clean shutdown")
	c.cmd.Process.Signal(syscall.SIGTERM)
	<-c.exited
	t.Logf("total %v", time.Since(start).Round(time.Millisecond))
}

var built struct {
	once sync.Once
	dir  string
	bin  string
	err  error
}

// buildBinary builds the command once per test binary, with -race if the
// tests run with it; TestMain removes it.
func buildBinary(t testing.TB) string {
	t.Helper()
	built.once.Do(func() {
		goTool, err := exec.LookPath("go")
		if err != nil {
			goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
		}
		if built.dir, built.err = os.MkdirTemp("", "monotable-test-"); built.err != nil {
			return
		}
		built.bin = filepath.Join(built.dir, "monotable")
		args := []string{"build", "-buildvcs=false", "-o", built.bin}
		if raceEnabled {
			args = append(args, "-race")
		}
		if out, err := exec.Command(goTool, append(args, ".")...).CombinedOutput(); err != nil {
			built.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	return built.bin
}

func TestMain(m *testing.M) {
	code := m.Run()
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

// child is a running `monotable local`.
type child struct {
	cmd       *exec.Cmd
	url       string
	exited    chan error
	loaded    chan struct{} // closed when the store reports it loaded
	snapshots chan struct{} // a value each time a snapshot starts

	mu  sync.Mutex
	log strings.Builder
}

func (c *child) stderr() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.log.String()
}

// startChild starts the binary on a free port and waits until it serves.
func startChild(t testing.TB, bin, dir string, flags ...string) *child {
	t.Helper()
	args := []string{"local", "--addr", "127.0.0.1:0"}
	if dir != "" {
		args = append(args, "--data", dir)
	}
	args = append(args, flags...)
	c := &child{cmd: exec.Command(bin, args...), exited: make(chan error, 1),
		loaded: make(chan struct{}), snapshots: make(chan struct{}, 100)}
	stdout, err := c.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr, err := c.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.cmd.Process.Kill() })
	var readers sync.WaitGroup
	readers.Add(1)
	go func() { // stderr: kept for failures, watched for snapshots
		defer readers.Done()
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			c.mu.Lock()
			c.log.WriteString(line + "\n")
			c.mu.Unlock()
			if strings.Contains(line, "persist: loaded") {
				close(c.loaded)
			}
			if strings.Contains(line, "persist: snapshot started") {
				select {
				case c.snapshots <- struct{}{}:
				default:
				}
			}
		}
	}()
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if _, rest, ok := strings.Cut(sc.Text(), "endpoint on "); ok {
				url, _, _ := strings.Cut(rest, " ")
				addr <- url
			}
		}
		io.Copy(io.Discard, stdout)
	}()
	go func() {
		readers.Wait() // Wait closes the pipes: read them to the end first
		c.exited <- c.cmd.Wait()
	}()
	select {
	case c.url = <-addr:
	case err := <-c.exited:
		t.Fatalf("monotable local exited at start: %v\n%s", err, c.stderr())
	case <-time.After(60 * time.Second):
		t.Fatalf("monotable local did not start in 60s\n%s", c.stderr())
	}
	if dir != "" {
		// The log line comes before the address, but down another pipe.
		select {
		case <-c.loaded:
		case <-time.After(5 * time.Second):
			t.Fatalf("the store did not report loading:\n%s", c.stderr())
		}
	}
	if log := c.stderr(); strings.Contains(log, "level=ERROR") {
		t.Fatalf("the store did not load cleanly:\n%s", log)
	}
	return c
}

func newClient(url string) *dynamodb.Client {
	return dynamodb.New(dynamodb.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(url),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "dummy", SecretAccessKey: "dummy"}, nil
		}),
		Retryer:    aws.NopRetryer{}, // a retried write would blur what was acknowledged
		HTTPClient: &http.Client{Timeout: 30 * time.Second},
	})
}

const crashTable = "crash"

func createTable(t testing.TB, client *dynamodb.Client) {
	t.Helper()
	_, err := client.CreateTable(context.Background(), &dynamodb.CreateTableInput{
		TableName:            aws.String(crashTable),
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("k"), KeyType: types.KeyTypeHash}},
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("k"), AttributeType: types.ScalarAttributeTypeS}},
		BillingMode:          types.BillingModePayPerRequest,
	})
	if err != nil {
		t.Fatal(err)
	}
}

// ledger records what the load wrote and which writes were acknowledged.
type ledger struct {
	mu     sync.Mutex
	items  map[string]expectation
	tried  map[int]int    // counter increments sent, per writer
	acked  map[int]int    // counter increments acknowledged, per writer
	pairs  [][2]string    // transactions' two keys: both or neither
	counts map[int][2]int // per round: acknowledged, in flight
	errs   []error        // failures before the kill
	killed bool           // the kill was sent: errors are expected
}

type expectation struct {
	state int // present, absent or unknown
	value string
}

const (
	present = iota
	absent
	unknown
)

func newLedger() *ledger {
	return &ledger{items: map[string]expectation{}, tried: map[int]int{}, acked: map[int]int{}, counts: map[int][2]int{}}
}

func (l *ledger) killing() {
	l.mu.Lock()
	l.killed = true
	l.mu.Unlock()
}

func (l *ledger) round(r int) (acked, unknown int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.killed = false
	c := l.counts[r]
	return c[0], c[1]
}

// send marks the keys of a write unknown, runs it, and marks them with
// their outcome if it was acknowledged.
func (l *ledger) send(r int, keys []string, after []expectation, do func() error) bool {
	l.mu.Lock()
	for _, k := range keys {
		l.items[k] = expectation{state: unknown}
	}
	l.mu.Unlock()
	err := do()
	l.mu.Lock()
	defer l.mu.Unlock()
	c := l.counts[r]
	if err != nil {
		c[1]++
		l.counts[r] = c
		if !l.killed {
			l.errs = append(l.errs, err)
		}
		return false
	}
	c[0]++
	l.counts[r] = c
	for i, k := range keys {
		l.items[k] = after[i]
	}
	return true
}

// write drives one writer until the endpoint dies: puts, counter updates,
// transactions and batches with deletes.
func (l *ledger) write(ctx context.Context, client *dynamodb.Client, r, w int) {
	s := func(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
	item := func(k string) map[string]types.AttributeValue {
		return map[string]types.AttributeValue{"k": s(k), "v": s("value of " + k), "pad": s(strings.Repeat("p", 64))}
	}
	is := func(k string) expectation { return expectation{state: present, value: "value of " + k} }
	ctr := fmt.Sprintf("ctr-%d", w)
	for i := 0; ctx.Err() == nil; i++ {
		k := fmt.Sprintf("r%d-w%d-%05d", r, w, i)
		var ok bool
		switch i % 5 {
		case 0, 1:
			ok = l.send(r, []string{k}, []expectation{is(k)}, func() error {
				_, err := client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(crashTable), Item: item(k)})
				return err
			})
		case 2:
			l.mu.Lock()
			l.tried[w]++
			l.mu.Unlock()
			ok = l.send(r, nil, nil, func() error {
				_, err := client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
					TableName: aws.String(crashTable), Key: map[string]types.AttributeValue{"k": s(ctr)},
					UpdateExpression:          aws.String("ADD n :one"),
					ExpressionAttributeValues: map[string]types.AttributeValue{":one": &types.AttributeValueMemberN{Value: "1"}},
				})
				return err
			})
			if ok {
				l.mu.Lock()
				l.acked[w]++
				l.mu.Unlock()
			}
		case 3:
			a, b := k+"-a", k+"-b"
			l.mu.Lock()
			l.pairs = append(l.pairs, [2]string{a, b})
			l.mu.Unlock()
			ok = l.send(r, []string{a, b}, []expectation{is(a), is(b)}, func() error {
				_, err := client.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
					{Put: &types.Put{TableName: aws.String(crashTable), Item: item(a), ConditionExpression: aws.String("attribute_not_exists(k)")}},
					{Put: &types.Put{TableName: aws.String(crashTable), Item: item(b)}},
				}})
				return err
			})
		case 4:
			// Three puts and the delete of this cycle's first put.
			gone := fmt.Sprintf("r%d-w%d-%05d", r, w, i-4)
			keys := []string{k + "-0", k + "-1", k + "-2", gone}
			after := []expectation{is(keys[0]), is(keys[1]), is(keys[2]), {state: absent}}
			ok = l.send(r, keys, after, func() error {
				_, err := client.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{crashTable: {
					{PutRequest: &types.PutRequest{Item: item(keys[0])}},
					{PutRequest: &types.PutRequest{Item: item(keys[1])}},
					{PutRequest: &types.PutRequest{Item: item(keys[2])}},
					{DeleteRequest: &types.DeleteRequest{Key: map[string]types.AttributeValue{"k": s(gone)}}},
				}}})
				return err
			})
		}
		if !ok {
			return
		}
	}
}

// verify checks the endpoint against the ledger: every acknowledged write
// is there, nothing that was never written is, transactions are whole,
// and counters hold at least every acknowledged increment and at most
// every one sent.
func (l *ledger) verify(t *testing.T, client *dynamodb.Client, when string) {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, err := range l.errs {
		t.Errorf("a write failed before the kill: %v", err)
	}
	l.errs = nil
	got := map[string]map[string]types.AttributeValue{}
	in := &dynamodb.ScanInput{TableName: aws.String(crashTable), ConsistentRead: aws.Bool(true)}
	for {
		out, err := client.Scan(context.Background(), in)
		if err != nil {
			t.Fatalf("%s: scan: %v", when, err)
		}
		for _, it := range out.Items {
			got[it["k"].(*types.AttributeValueMemberS).Value] = it
		}
		if out.LastEvaluatedKey == nil {
			break
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
	str := func(it map[string]types.AttributeValue, name string) string {
		v, _ := it[name].(*types.AttributeValueMemberS)
		if v == nil {
			return ""
		}
		return v.Value
	}
	lost, checked := 0, 0
	for k, e := range l.items {
		it, ok := got[k]
		switch e.state {
		case present:
			checked++
			if !ok || str(it, "v") != e.value {
				lost++
				if lost <= 5 {
					t.Errorf("%s: acknowledged write of %s lost (have %v)", when, k, it)
				}
			}
		case absent:
			checked++
			if ok {
				t.Errorf("%s: acknowledged delete of %s undone", when, k)
			}
		}
	}
	if lost > 0 {
		t.Errorf("%s: %d acknowledged writes lost", when, lost)
	}
	for k := range got {
		if _, ok := l.items[k]; !ok && !strings.HasPrefix(k, "ctr-") {
			t.Errorf("%s: %s is there but was never written", when, k)
		}
	}
	for _, p := range l.pairs {
		_, a := got[p[0]]
		_, b := got[p[1]]
		if a != b {
			t.Errorf("%s: half a transaction: %s present %v, %s present %v", when, p[0], a, p[1], b)
		}
	}
	for w, tried := range l.tried {
		n := 0
		if it, ok := got[fmt.Sprintf("ctr-%d", w)]; ok {
			fmt.Sscan(it["n"].(*types.AttributeValueMemberN).Value, &n)
		}
		if n < l.acked[w] || n > tried {
			t.Errorf("%s: counter %d is %d, want between %d acknowledged and %d sent", when, w, n, l.acked[w], tried)
		}
		// From now on the stored value is what was acknowledged.
		l.acked[w], l.tried[w] = n, n
	}
	// Writes in flight at the kill are settled now: take what is there.
	for k, e := range l.items {
		if e.state == unknown {
			if it, ok := got[k]; ok {
				l.items[k] = expectation{state: present, value: str(it, "v")}
			} else {
				l.items[k] = expectation{state: absent}
			}
		}
	}
	if t.Failed() {
		return
	}
	t.Logf("%s: %d acknowledged writes checked, %d items", when, checked, len(got))
}
