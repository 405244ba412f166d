package orm

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Cursor is where a page of a query ended, opaque to clients: the key to
// resume from, sealed with AES-GCM under the table's cursor key (see
// [WithCursorKey]) and bound to the query that produced it (table, index,
// entity, key condition, direction). A cursor that was altered, or comes
// from another query or another key, fails with ErrInvalidCursor instead
// of reading anything. The empty Cursor means "no more pages" when
// returned, and "from the start" when passed.
type Cursor string

var cursorEncoding = base64.RawURLEncoding.Strict()

func newAEAD(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("orm: cursor key: %w", err)
	}
	return cipher.NewGCM(block)
}

func (t *Table) sealCursor(key map[string]types.AttributeValue, ad []byte) (Cursor, error) {
	plain, err := encodeKey(key)
	if err != nil {
		return "", err
	}
	ns := t.aead.NonceSize()
	buf := make([]byte, ns, ns+len(plain)+t.aead.Overhead())
	_, _ = rand.Read(buf)
	buf = t.aead.Seal(buf, buf[:ns], plain, ad)
	return Cursor(cursorEncoding.EncodeToString(buf)), nil
}

// maxCursor bounds the cursors openCursor decodes: a sealed key of four
// attributes at DynamoDB's key size limits fits well below it.
const maxCursor = 16 << 10

func (t *Table) openCursor(c Cursor, ad []byte) (map[string]types.AttributeValue, error) {
	// One text per cursor: the strict decoder refuses stray bits in the
	// last character, and line breaks, which base64 would skip, are
	// refused here.
	if len(c) > maxCursor || strings.ContainsAny(string(c), "\r\n") {
		return nil, ErrInvalidCursor
	}
	raw, err := cursorEncoding.DecodeString(string(c))
	ns := t.aead.NonceSize()
	if err != nil || len(raw) < ns+t.aead.Overhead() {
		return nil, ErrInvalidCursor
	}
	plain, err := t.aead.Open(nil, raw[:ns], raw[ns:], ad)
	if err != nil {
		return nil, ErrInvalidCursor
	}
	key, err := decodeKey(plain)
	if err != nil {
		return nil, ErrInvalidCursor
	}
	return key, nil
}

// encodeKey serialises a key (S, N and B attributes) compactly:
// uvarint-prefixed name, type byte, uvarint-prefixed value.
func encodeKey(key map[string]types.AttributeValue) ([]byte, error) {
	names := make([]string, 0, len(key))
	for n := range key {
		names = append(names, n)
	}
	sort.Strings(names)
	var b []byte
	for _, n := range names {
		b = binary.AppendUvarint(b, uint64(len(n)))
		b = append(b, n...)
		var val []byte
		switch v := key[n].(type) {
		case *types.AttributeValueMemberS:
			b, val = append(b, 'S'), []byte(v.Value)
		case *types.AttributeValueMemberN:
			b, val = append(b, 'N'), []byte(v.Value)
		case *types.AttributeValueMemberB:
			b, val = append(b, 'B'), v.Value
		default:
			return nil, fmt.Errorf("orm: key attribute %s has type %T", n, v)
		}
		b = binary.AppendUvarint(b, uint64(len(val)))
		b = append(b, val...)
	}
	return b, nil
}

func decodeKey(b []byte) (map[string]types.AttributeValue, error) {
	key := map[string]types.AttributeValue{}
	next := func() ([]byte, bool) {
		n, k := binary.Uvarint(b)
		if k <= 0 || uint64(len(b)-k) < n {
			return nil, false
		}
		v := b[k : k+int(n)]
		b = b[k+int(n):]
		return v, true
	}
	for len(b) > 0 {
		name, ok := next()
		if !ok || len(b) == 0 {
			return nil, ErrInvalidCursor
		}
		typ := b[0]
		b = b[1:]
		val, ok := next()
		if !ok {
			return nil, ErrInvalidCursor
		}
		switch typ {
		case 'S':
			key[string(name)] = &types.AttributeValueMemberS{Value: string(val)}
		case 'N':
			key[string(name)] = &types.AttributeValueMemberN{Value: string(val)}
		case 'B':
			key[string(name)] = &types.AttributeValueMemberB{Value: append([]byte(nil), val...)}
		default:
			return nil, ErrInvalidCursor
		}
	}
	return key, nil
}
