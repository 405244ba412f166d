package memstore_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/monotable/monotable/internal/memstore"
	"github.com/monotable/monotable/internal/memstore/wire"
)

// FuzzEngine sends arbitrary requests to a store (behind the wire handler)
// that already holds a table with indexes: no input may crash it or earn a
// 500, which would mean the engine failed on input it should have rejected.
func FuzzEngine(f *testing.F) {
	files, _ := filepath.Glob("testdata/scenarios/*/*.txt")
	for _, file := range files {
		for _, s := range parseScenarioFile(f, file) {
			f.Add(s.op, s.request)
		}
	}
	f.Fuzz(func(t *testing.T, op, body string) {
		h := wire.NewHandler(memstore.New())
		setup := []struct{ op, body string }{
			{"CreateTable", `{"TableName":"fuzz","BillingMode":"PAY_PER_REQUEST",
				"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"sk","AttributeType":"N"},{"AttributeName":"g","AttributeType":"S"}],
				"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}],
				"GlobalSecondaryIndexes":[{"IndexName":"gidx","KeySchema":[{"AttributeName":"g","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}],"Projection":{"ProjectionType":"KEYS_ONLY"}}],
				"StreamSpecification":{"StreamEnabled":true,"StreamViewType":"NEW_AND_OLD_IMAGES"}}`},
			{"PutItem", `{"TableName":"fuzz","Item":{"pk":{"S":"a"},"sk":{"N":"1"},"g":{"S":"x"},"l":{"L":[{"N":"1"},{"M":{"m":{"SS":["a"]}}}]}}}`},
		}
		for _, s := range setup {
			if code, resp := postBody(h, s.op, s.body); code != http.StatusOK {
				t.Fatalf("setup %s: %d %s", s.op, code, resp)
			}
		}
		// Point scenario requests at the fuzz table half of the time.
		for _, b := range []string{body, retarget(body)} {
			if code := post(h, op, b); code >= 500 {
				t.Fatalf("%s %s: status %d", op, b, code)
			}
		}
	})
}

func retarget(body string) string {
	i := strings.Index(body, `"TableName"`)
	if i < 0 {
		return body
	}
	j := strings.Index(body[i+11:], `"`)
	if j < 0 {
		return body
	}
	start := i + 11 + j + 1
	end := strings.Index(body[start:], `"`)
	if end < 0 {
		return body
	}
	return body[:start] + "fuzz" + body[start+end:]
}

func post(h http.Handler, op, body string) int {
	code, _ := postBody(h, op, body)
	return code
}

func postBody(h http.Handler, op, body string) (int, string) {
	target := "DynamoDB_20120810." + op
	switch op {
	case "ListStreams", "DescribeStream", "GetShardIterator", "GetRecords":
		target = "DynamoDBStreams_20120810." + op
	}
	r := httptest.NewRequest(http.MethodPost, "/", bytes.NewBufferString(body))
	r.Header.Set("X-Amz-Target", target)
	r.Header.Set("Content-Type", "application/x-amz-json-1.0")
	now := time.Now().UTC()
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/"+now.Format("20060102")+"/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=abcdef")
	r.Header.Set("X-Amz-Date", now.Format("20060102T150405Z"))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Code, w.Body.String()
}
