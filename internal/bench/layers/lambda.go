package layers

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	awslambda "github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/go-playground/validator/v10"

	"github.com/monotable/monotable/internal/bench"
	"github.com/monotable/monotable/lambda"
)

// The lambda layer's contenders: a whole invocation (raw payload in,
// response JSON out, what Lambda's runtime loop calls) through a
// monotable App, and through the handler a team would write with
// aws-lambda-go alone: a function over the event type, wrapped by
// aws-lambda-go's own lambda.NewHandler, routing with a switch on the path
// and decoding and validating by hand. Both serve the same 27 routes.

var lambdaNames = []string{"monotable", "aws-lambda-go"}

type getScore struct {
	Game   string `path:"game" validate:"required,max=16"`
	Player string `path:"player" validate:"required"`
}

type createScore struct {
	Game   string      `path:"game" json:"-" validate:"required,max=16"`
	Limit  int         `query:"limit" json:"-" validate:"omitempty,min=1,max=100"`
	Player string      `json:"player" validate:"required"`
	Points int64       `json:"points" validate:"gte=0"`
	Items  []scoreItem `json:"items" validate:"dive"`
}

type scoreItem struct {
	Name string `json:"name" validate:"required"`
	Qty  int    `json:"qty"`
}

type scoreOut struct {
	Game   string `json:"game"`
	Player string `json:"player"`
	Points int64  `json:"points"`
	Items  int    `json:"items"`
}

var resources = []string{"games", "players", "sessions", "boards", "devices"}

// app is the monotable side: typed handlers with binding and validation.
func app() *lambda.App {
	a := lambda.New(lambda.WithLogger(slog.New(slog.DiscardHandler)))
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"ok":true}`))
	})
	for _, res := range resources {
		a.Route("GET /"+res, ok)
		a.Route("POST /"+res, ok)
		a.Route("GET /"+res+"/{id}", ok)
		a.Route("PUT /"+res+"/{id}", ok)
		a.Route("DELETE /"+res+"/{id}", ok)
	}
	a.Route("GET /games/{game}/scores/{player}", lambda.Handle(func(ctx context.Context, in getScore) (scoreOut, error) {
		return scoreOut{Game: in.Game, Player: in.Player}, nil
	}))
	a.Route("POST /games/{game}/scores", lambda.Handle(func(ctx context.Context, in createScore) (scoreOut, error) {
		return scoreOut{Game: in.Game, Player: in.Player, Points: in.Points, Items: len(in.Items)}, nil
	}))
	return a
}

// byHand is the aws-lambda-go side: the same routes, matched by a switch
// on the path's segments, with the same validation (validator/v10).
type byHand struct{ validate *validator.Validate }

func (h byHand) json(status int, v any) events.APIGatewayV2HTTPResponse {
	body, err := json.Marshal(v)
	if err != nil {
		status, body = http.StatusInternalServerError, []byte(`{"message":"internal error"}`)
	}
	return events.APIGatewayV2HTTPResponse{StatusCode: status, Headers: map[string]string{"Content-Type": "application/json"}, Body: string(body)}
}

func (h byHand) serve(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	method := ev.RequestContext.HTTP.Method
	seg := strings.Split(strings.Trim(ev.RawPath, "/"), "/")
	known := func(s string) bool {
		for _, r := range resources {
			if r == s {
				return true
			}
		}
		return false
	}
	switch {
	case len(seg) == 4 && seg[0] == "games" && seg[2] == "scores" && method == "GET":
		in := getScore{Game: seg[1], Player: seg[3]}
		if err := h.validate.Struct(in); err != nil {
			return h.json(http.StatusBadRequest, map[string]string{"message": err.Error()}), nil
		}
		return h.json(http.StatusOK, scoreOut{Game: in.Game, Player: in.Player}), nil
	case len(seg) == 3 && seg[0] == "games" && seg[2] == "scores" && method == "POST":
		var in createScore
		if err := json.Unmarshal([]byte(ev.Body), &in); err != nil {
			return h.json(http.StatusUnsupportedMediaType, map[string]string{"message": err.Error()}), nil
		}
		in.Game = seg[1]
		if l := ev.QueryStringParameters["limit"]; l != "" {
			n, err := strconv.Atoi(l)
			if err != nil {
				return h.json(http.StatusBadRequest, map[string]string{"message": "limit: " + err.Error()}), nil
			}
			in.Limit = n
		}
		if err := h.validate.Struct(in); err != nil {
			return h.json(http.StatusBadRequest, map[string]string{"message": err.Error()}), nil
		}
		return h.json(http.StatusOK, scoreOut{Game: in.Game, Player: in.Player, Points: in.Points, Items: len(in.Items)}), nil
	case len(seg) <= 2 && known(seg[0]):
		return h.json(http.StatusOK, map[string]bool{"ok": true}), nil
	}
	return h.json(http.StatusNotFound, map[string]string{"message": "not found"}), nil
}

func v2Event(method, path, query, body string) []byte {
	ev := events.APIGatewayV2HTTPRequest{
		Version: "2.0", RouteKey: "$default", RawPath: path, RawQueryString: query, Body: body,
		Headers: map[string]string{"accept": "application/json", "content-type": "application/json", "user-agent": "bench"},
		RequestContext: events.APIGatewayV2HTTPRequestContext{Stage: "$default", RequestID: "r", DomainName: "x.execute-api.us-east-1.amazonaws.com",
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: method, Path: path}},
	}
	if query != "" {
		ev.QueryStringParameters = map[string]string{}
		for _, kv := range strings.Split(query, "&") {
			k, v, _ := strings.Cut(kv, "=")
			ev.QueryStringParameters[k] = v
		}
	}
	payload, _ := json.Marshal(ev)
	return payload
}

// Lambda returns the lambda layer's contests.
func Lambda() []Contest {
	return []Contest{
		invokeContest("GetV2", "HTTP API GET, two path parameters bound and validated",
			v2Event("GET", "/games/chess/scores/ann", "", ""), scoreOut{Game: "chess", Player: "ann"}),
		invokeContest("PostV2", "HTTP API POST, path + query + JSON body bound and validated",
			v2Event("POST", "/games/chess/scores", "limit=10", `{"player":"ann","points":7,"items":[{"name":"x","qty":1},{"name":"y","qty":2}]}`),
			scoreOut{Game: "chess", Player: "ann", Points: 7, Items: 2}),
	}
}

func invokeContest(id, name string, payload []byte, want scoreOut) Contest {
	return Contest{
		Workload: bench.Workload{ID: id, Name: name},
		Names:    lambdaNames,
		New: func(context.Context) ([]bench.Instance, error) {
			ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "bench-1"})
			hand := awslambda.NewHandler(byHand{validate: validator.New(validator.WithRequiredStructEnabled())}.serve)
			mono := app()
			check := func(_ int, out any) error {
				var resp events.APIGatewayV2HTTPResponse
				if err := json.Unmarshal(out.([]byte), &resp); err != nil {
					return fmt.Errorf("response is not a v2 response: %w", err)
				}
				var got scoreOut
				if err := json.Unmarshal([]byte(resp.Body), &got); resp.StatusCode != http.StatusOK || err != nil || got != want {
					return fmt.Errorf("got %d %s, want 200 %+v", resp.StatusCode, resp.Body, want)
				}
				return nil
			}
			return []bench.Instance{
				bench.Steps{OnDo: func(context.Context, int) (any, error) { return mono.Invoke(ctx, payload) }, OnCheck: check},
				bench.Steps{OnDo: func(context.Context, int) (any, error) { return hand.Invoke(ctx, payload) }, OnCheck: check},
			}, nil
		},
	}
}
