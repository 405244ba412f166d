package orm

import (
	"errors"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// expect is what a write requires of the stored item. It builds the
// condition expression and, when DynamoDB refuses the write, tells which
// part failed from the item returned with the refusal.
type expect struct {
	exist       bool  // a live item must be there
	notExist    bool  // no live item may be there
	fromVersion bool  // notExist because the version is zero
	version     bool  // the stored version must equal want
	want        int64 // expected version
	user        []Cond
}

// condition renders e; "" when the write is unconditional.
func (c *codec) condition(x *exprs, e expect, now time.Time) (string, error) {
	var parts []string
	hasTTL := c.info.ttl != nil
	pk := func() string { return x.name(c.t.layout.PK) }
	nowV := func() string {
		return x.value(&types.AttributeValueMemberN{Value: strconv.FormatInt(now.Unix(), 10)})
	}
	switch {
	case e.notExist && hasTTL:
		parts = append(parts, "attribute_not_exists("+pk()+") OR "+x.name(c.t.layout.TTL)+" <= "+nowV())
	case e.notExist:
		parts = append(parts, "attribute_not_exists("+pk()+")")
	case e.exist && hasTTL:
		ttl := x.name(c.t.layout.TTL)
		parts = append(parts, "attribute_exists("+pk()+") AND (attribute_not_exists("+ttl+") OR "+ttl+" > "+nowV()+")")
	case e.exist:
		parts = append(parts, "attribute_exists("+pk()+")")
	}
	if e.version {
		f := c.info.version
		parts = append(parts, x.name(f.attr)+" = "+x.value(&types.AttributeValueMemberN{Value: strconv.FormatInt(e.want, 10)}))
	}
	for _, u := range e.user {
		s, err := u.build(x, c.info)
		if err != nil {
			return "", err
		}
		parts = append(parts, s)
	}
	switch len(parts) {
	case 0:
		return "", nil
	case 1:
		return parts[0], nil
	}
	return "(" + strings.Join(parts, ") AND (") + ")", nil
}

// classify names the part of e that the stored item old failed.
func (c *codec) classify(e expect, old map[string]types.AttributeValue, now time.Time) Kind {
	present := old != nil && !expired(old, c.t.layout.TTL, now)
	switch {
	case !present && e.exist:
		return KindNotFound
	case !present:
		return KindCondition
	case e.notExist && e.fromVersion:
		return KindVersion
	case e.notExist:
		return KindExists
	case e.version && storedVersion(old, c.info.version.attr) != e.want:
		return KindVersion
	}
	return KindCondition
}

func storedVersion(item map[string]types.AttributeValue, attr string) int64 {
	if n, ok := item[attr].(*types.AttributeValueMemberN); ok {
		v, _ := strconv.ParseInt(n.Value, 10, 64)
		return v
	}
	return 0
}

// decodeOld decodes an item returned with a refusal into a *T, if it is
// one of the model's.
func (c *codec) decodeOld(old map[string]types.AttributeValue) any {
	if old == nil || entityOf(old, c.t.layout.Type) != c.entity {
		return nil
	}
	pv := reflect.New(c.info.typ)
	if c.decodeInto(old, pv.Interface()) != nil {
		return nil
	}
	return pv.Interface()
}

// writeErr maps the SDK error of a single write.
func (c *codec) writeErr(op string, key map[string]types.AttributeValue, e expect, now time.Time, err error) error {
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return &ConditionError{
			Op:     op,
			Entity: c.entity,
			Key:    c.keyString(key),
			Kind:   c.classify(e, ccf.Item, now),
			Item:   c.decodeOld(ccf.Item),
			err:    err,
		}
	}
	return wrapErr(op, c.entity, err)
}

// stamp prepares v (addressable) for a put: created/updated times and the
// next version. It returns what the put must expect.
func (c *codec) stamp(rv reflect.Value, now time.Time) expect {
	var e expect
	if f := c.info.updated; f != nil {
		rv.FieldByIndex(f.index).Set(reflect.ValueOf(stampTime(f, now)))
	}
	if f := c.info.created; f != nil {
		if fv := rv.FieldByIndex(f.index); fv.IsZero() {
			fv.Set(reflect.ValueOf(stampTime(f, now)))
		}
	}
	if f := c.info.version; f != nil {
		fv := rv.FieldByIndex(f.index)
		cur := versionOf(fv)
		if cur == 0 {
			e.notExist, e.fromVersion = true, true
		} else {
			e.version, e.want = true, cur
		}
		setVersion(fv, cur+1)
	}
	return e
}

func stampTime(f *field, now time.Time) time.Time {
	now = now.UTC().Round(0)
	if f.unixtime {
		now = now.Truncate(time.Second)
	}
	return now
}

func versionOf(fv reflect.Value) int64 {
	if fv.CanInt() {
		return fv.Int()
	}
	return int64(fv.Uint())
}

func setVersion(fv reflect.Value, v int64) {
	if fv.CanInt() {
		fv.SetInt(v)
	} else {
		fv.SetUint(uint64(v))
	}
}
