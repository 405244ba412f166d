package httpbench

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"runtime"
	"runtime/pprof"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/monotable/monotable/internal/bench"
)

// cannedGetItem is the least a server can do for the GetItem workload: it
// decodes the request body, looks the user's answer up among response
// bodies encoded before the run, and writes it. It has no store, no
// validation and no signature check, so the same client and workers
// measured against it give the harness's own ceiling: the throughput no
// endpoint can pass on this machine, whatever its server does.
type cannedGetItem struct {
	bodies map[string][]byte // by pk
}

func newCannedGetItem(size int) (*cannedGetItem, error) {
	h := &cannedGetItem{bodies: make(map[string][]byte, size)}
	for u := range size {
		it := userItem(u, 0)
		wireItem := make(map[string]map[string]string, len(it))
		for name, v := range it {
			switch v := v.(type) {
			case *types.AttributeValueMemberS:
				wireItem[name] = map[string]string{"S": v.Value}
			case *types.AttributeValueMemberN:
				wireItem[name] = map[string]string{"N": v.Value}
			}
		}
		b, err := json.Marshal(map[string]any{"Item": wireItem})
		if err != nil {
			return nil, err
		}
		h.bodies[userPK(u)] = b
	}
	return h, nil
}

func (h *cannedGetItem) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Key struct {
			PK struct{ S string } `json:"pk"`
		}
	}
	body, err := io.ReadAll(r.Body)
	if err == nil {
		err = json.Unmarshal(body, &in)
	}
	out, ok := h.bodies[in.Key.PK.S]
	if err != nil || !ok || r.Header.Get("X-Amz-Target") != "DynamoDB_20120810.GetItem" {
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, `{"__type":"com.amazon.coral.validate#ValidationException","message":"the canned server answers GetItem for a seeded user only"}`)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.Write(out)
}

// Ceiling runs the GetItem workload, with opt's workers, rounds and
// warm-up, against cannedGetItem served in this process the way the
// monotable contender is, through the same SDK client settings. Every
// answer is checked as in the suite.
func Ceiling(ctx context.Context, opt Options) (Stats, error) {
	h, err := newCannedGetItem(opt.Size)
	if err != nil {
		return Stats{}, err
	}
	srv, err := Serve(h)
	if err != nil {
		return Stats{}, err
	}
	defer srv.Close()
	opt.Workers = max(opt.Workers, 1)
	c := NewClient(srv.Endpoint, opt.Workers)
	defer closeIdle(c)
	w := getItem()
	ws := make([]Worker, opt.Workers)
	for i := range ws {
		ws[i] = w.New(c, opt.Size, i, opt.Workers)
	}
	labels := pprof.Labels("side", "client", "contender", "ceiling", "workload", w.ID)
	st := Stats{Contender: "canned GetItem server", CPUKnown: true}
	var lat []time.Duration
	noMeter := meter{start: func() {}, stop: func() {}}
	if opt.Warmup > 0 {
		if _, _, _, err := runRound(ctx, ws, -1, opt.Warmup, nil, labels, noMeter); err != nil {
			return st, err
		}
	}
	for r := range max(opt.Rounds, 1) {
		runtime.GC()
		var u0, u1 usage
		m := meter{start: func() { u0 = readUsage(0) }, stop: func() { u1 = readUsage(0) }}
		rd, l, checked, err := runRound(ctx, ws, r, opt.Round, lat, labels, m)
		st.Checked += checked
		if err != nil {
			st.Wrong = err.Error()
			return st, err
		}
		rd.SelfCPU = u1.self - u0.self
		st.CPUKnown = st.CPUKnown && u0.ok && u1.ok
		lat = l
		st.Rounds = append(st.Rounds, rd)
		st.Ops += rd.Ops
		st.Wall += rd.Wall
		st.SelfCPU += rd.SelfCPU
		st.Runtime.add(u0.rt, u1.rt)
	}
	st.P50, st.P99 = bench.Percentiles(lat)
	return st, nil
}
