package expr

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// errorCase is one block of a testdata/errors file: a request's
// placeholders, one expression and the message DynamoDB answers with.
type errorCase struct {
	file, name          string
	line                int
	kind, names, values string
	expr, want          string
	hasExpr             bool
}

// readErrorCases reads blocks of "key: value" lines separated by blank
// lines; kind, names and values carry over to the blocks that follow. Keys: name, kind, names (JSON), values (JSON), expr (the rest of
// the line, verbatim), exprq (a Go-quoted string, for spaces at the ends)
// and error. Lines starting with # are comments.
func readErrorCases(t testing.TB) []errorCase {
	files, err := filepath.Glob(filepath.Join("testdata", "errors", "*.txt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no error cases: %v", err)
	}
	var cases []errorCase
	for _, file := range files {
		f, err := os.Open(file)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		cur := errorCase{file: filepath.Base(file)}
		flush := func() {
			if cur.want != "" || cur.hasExpr {
				if cur.want == "" {
					t.Fatalf("%s:%d: case without error", cur.file, cur.line)
				}
				cases = append(cases, cur)
			}
			cur = errorCase{file: cur.file, kind: cur.kind, names: cur.names, values: cur.values}
		}
		n := 0
		for sc.Scan() {
			n++
			line := sc.Text()
			if strings.TrimSpace(line) == "" {
				flush()
				continue
			}
			if strings.HasPrefix(line, "#") {
				continue
			}
			key, val, ok := strings.Cut(line, ": ")
			if !ok {
				key, val = strings.TrimSuffix(line, ":"), ""
			}
			if cur.line == 0 {
				cur.line = n
			}
			switch key {
			case "name":
				cur.name = val
			case "kind":
				cur.kind = val
			case "names":
				cur.names = val
			case "values":
				cur.values = val
			case "expr":
				cur.expr, cur.hasExpr = val, true
			case "exprq":
				s, err := strconv.Unquote(val)
				if err != nil {
					t.Fatalf("%s:%d: %v", file, n, err)
				}
				cur.expr, cur.hasExpr = s, true
			case "error":
				cur.want = val
			default:
				t.Fatalf("%s:%d: unknown key %q", file, n, key)
			}
		}
		flush()
		f.Close()
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
	}
	return cases
}

func (c errorCase) run(t testing.TB) error {
	p, err := NewParams(names(t, c.names), item(t, c.values))
	if err != nil || c.kind == "params" {
		return err
	}
	switch Kind(c.kind) {
	case KindCondition, KindFilter:
		_, err = ParseCondition(Kind(c.kind), c.expr, p)
	case KindKeyCondition:
		_, err = ParseKeyCondition(c.expr, p)
	case KindUpdate:
		_, err = ParseUpdate(c.expr, p)
	case KindProjection:
		_, err = ParseProjection(c.expr, p)
	case "unused":
		if _, err = ParseCondition(KindCondition, c.expr, p); err == nil {
			err = p.CheckUnused()
		}
	default:
		t.Fatalf("unknown kind %q", c.kind)
	}
	return err
}

func TestErrorMessages(t *testing.T) {
	for _, c := range readErrorCases(t) {
		name := c.name
		if name == "" {
			name = c.expr
		}
		if name == "" {
			name = c.want
		}
		t.Run(c.file+":"+strconv.Itoa(c.line)+":"+name, func(t *testing.T) {
			err := c.run(t)
			if err == nil {
				t.Fatalf("%s:%d: %q parsed, want error\n%s", c.file, c.line, c.expr, c.want)
			}
			if err.Error() != c.want {
				t.Errorf("%s:%d: %q\n got: %s\nwant: %s", c.file, c.line, c.expr, err, c.want)
			}
		})
	}
}
