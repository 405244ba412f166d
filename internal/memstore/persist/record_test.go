package persist

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

func frames(recs ...record) []byte {
	b := []byte(magic)
	for _, r := range recs {
		b = appendFrame(b, r.kind, r.body)
	}
	return b
}

// readAll decodes a file: its records and the error that stopped it
// (nil at a clean end).
func readAll(data []byte) ([]record, int64, error) {
	fr := newFrameReader(bytes.NewReader(data))
	if err := fr.readMagic(); err != nil {
		return nil, fr.off, err
	}
	var out []record
	for {
		r, err := fr.next()
		if err == io.EOF {
			return out, fr.off, nil
		}
		if err != nil {
			return out, fr.off, err
		}
		out = append(out, record{kind: r.kind, body: append([]byte(nil), r.body...)})
	}
}

func TestFrames(t *testing.T) {
	a := record{kindWrite, []byte(`{"RequestItems":{}}`)}
	b := record{kindDeleteTable, []byte(`{"TableName":"t"}`)}
	end := record{kindEnd, nil}
	good := frames(a, b, end)
	twoFrames := int64(len(frames(a, b)))

	flip := func(at int, mask byte) []byte {
		c := bytes.Clone(good)
		c[at] ^= mask
		return c
	}
	for _, tc := range []struct {
		name    string
		data    []byte
		records int
		off     int64
		err     error
	}{
		{"whole", good, 3, int64(len(good)), nil},
		{"only the header", []byte(magic), 0, int64(len(magic)), nil},
		{"empty file", nil, 0, 0, errTorn},
		{"cut inside the header", []byte(magic[:3]), 0, 3, errTorn},
		{"not ours", []byte("hello, world"), 0, 8, errCorrupt},
		{"cut inside the last frame header", good[:len(good)-7], 2, twoFrames, errTorn},
		{"cut inside the last payload", good[:len(good)-len(frames(end))+len(magic)+frameHeader], 2, twoFrames, errTorn},
		{"cut inside a middle payload", good[:len(magic)+frameHeader+5], 0, int64(len(magic)), errTorn},
		{"bad CRC in the last frame", flip(len(good)-1, 0x40), 2, twoFrames, errCorrupt},
		{"bad CRC in the first payload", flip(len(magic)+frameHeader+3, 0x40), 0, int64(len(magic)), errCorrupt},
		{"checksum bit flipped", flip(len(magic)+5, 0x01), 0, int64(len(magic)), errCorrupt},
		{"length shorter", flip(len(magic), 0x01), 0, int64(len(magic)), errCorrupt},
		{"length past the end", flip(len(magic)+1, 0x40), 0, int64(len(magic)), errTorn},
		{"zero length", append([]byte(magic), 0, 0, 0, 0, 0, 0, 0, 0), 0, int64(len(magic)), errCorrupt},
		{"huge length", append([]byte(magic), 0xff, 0xff, 0xff, 0x7f, 1, 2, 3, 4, 5), 0, int64(len(magic)), errCorrupt},
		{"zeros after the last frame", append(bytes.Clone(good), make([]byte, 100)...), 3, int64(len(good)), errCorrupt},
	} {
		t.Run(tc.name, func(t *testing.T) {
			recs, off, err := readAll(tc.data)
			if !errors.Is(err, tc.err) || (err != nil) != (tc.err != nil) {
				t.Fatalf("err = %v, want %v", err, tc.err)
			}
			if len(recs) != tc.records {
				t.Fatalf("%d records, want %d", len(recs), tc.records)
			}
			if off != tc.off {
				t.Fatalf("good data ends at %d, want %d", off, tc.off)
			}
			want := []record{a, b, end}
			for i, r := range recs {
				if r.kind != want[i].kind || !bytes.Equal(r.body, want[i].body) {
					t.Fatalf("record %d = %v %q, want %v %q", i, r.kind, r.body, want[i].kind, want[i].body)
				}
			}
		})
	}
}

// FuzzFrameReader feeds arbitrary files to the decoder: it must never
// panic nor claim memory for lengths it has not read, and whatever it
// accepts must re-encode to the same bytes.
func FuzzFrameReader(f *testing.F) {
	f.Add(frames(record{kindWrite, []byte(`{"RequestItems":{"t":[{"PutRequest":{"Item":{"k":{"S":"v"}}}}]}}`)}))
	f.Add(frames(record{kindSnapshot, []byte{1, 0, 0, 0, 0, 0, 0, 0}}, record{kindEnd, nil}))
	f.Add([]byte(magic))
	f.Add([]byte{})
	f.Add(append([]byte(magic), 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0))
	f.Fuzz(func(t *testing.T, data []byte) {
		recs, off, _ := readAll(data)
		if off > int64(len(data)) {
			t.Fatalf("good data ends at %d, past the end (%d)", off, len(data))
		}
		if len(recs) == 0 {
			return
		}
		again := frames(recs...)
		if !bytes.Equal(again, data[:off]) {
			t.Fatalf("re-encoded %d records differ from the %d bytes they came from", len(recs), off)
		}
	})
}
