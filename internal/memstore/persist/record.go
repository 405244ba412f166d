package persist

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
)

// magic opens every log and snapshot file: the format and its version.
const magic = "MTBLOG1\n"

// maxRecord bounds one record's payload. The largest request the endpoint
// accepts is 16 MB of JSON ([wire.DefaultMaxBodySize]); a record is never
// bigger than the request it comes from, nor than a 1 MB Scan page of a
// snapshot rendered as JSON. A larger length is corruption, and the bound
// keeps a garbage length from allocating gigabytes.
const maxRecord = 64 << 20

// frameHeader is the length (uint32, little endian) and the CRC-32C of the
// length bytes followed by the payload.
const frameHeader = 8

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// kind says what a record's body is and how replay applies it.
type kind byte

// Kinds are part of the file format: new ones get new numbers.
const (
	kindCreateTable   kind = 1  // dynamodb.CreateTableInput
	kindUpdateTable   kind = 2  // dynamodb.UpdateTableInput
	kindDeleteTable   kind = 3  // dynamodb.DeleteTableInput
	kindUpdateTTL     kind = 4  // dynamodb.UpdateTimeToLiveInput
	kindWrite         kind = 5  // dynamodb.BatchWriteItemInput: item images, applied unconditionally
	kindSnapshot      kind = 6  // snapshot header: the log generation it precedes, uint64 little endian
	kindEnd           kind = 7  // snapshot trailer: the snapshot is complete; empty
	kindTag           kind = 8  // dynamodb.TagResourceInput
	kindUntag         kind = 9  // dynamodb.UntagResourceInput
	kindUpdateBackups kind = 10 // dynamodb.UpdateContinuousBackupsInput
	kindInsights      kind = 11 // dynamodb.UpdateContributorInsightsInput
	kindPutPolicy     kind = 12 // dynamodb.PutResourcePolicyInput
	kindDeletePolicy  kind = 13 // dynamodb.DeleteResourcePolicyInput
)

func (k kind) String() string {
	switch k {
	case kindCreateTable:
		return "CreateTable"
	case kindUpdateTable:
		return "UpdateTable"
	case kindDeleteTable:
		return "DeleteTable"
	case kindUpdateTTL:
		return "UpdateTimeToLive"
	case kindWrite:
		return "Write"
	case kindSnapshot:
		return "Snapshot"
	case kindEnd:
		return "End"
	case kindTag:
		return "TagResource"
	case kindUntag:
		return "UntagResource"
	case kindUpdateBackups:
		return "UpdateContinuousBackups"
	case kindInsights:
		return "UpdateContributorInsights"
	case kindPutPolicy:
		return "PutResourcePolicy"
	case kindDeletePolicy:
		return "DeleteResourcePolicy"
	}
	return fmt.Sprintf("kind(%d)", byte(k))
}

// record is one entry of a log or snapshot: a kind and its body, for most
// kinds the DynamoDB JSON of an SDK input (see [wire.Marshal]).
type record struct {
	kind kind
	body []byte
}

// appendFrame appends the framed record to b.
func appendFrame(b []byte, k kind, body []byte) []byte {
	n := 1 + len(body)
	start := len(b)
	b = binary.LittleEndian.AppendUint32(b, uint32(n))
	b = append(b, 0, 0, 0, 0) // CRC, filled in below
	b = append(b, byte(k))
	b = append(b, body...)
	crc := crc32.Update(0, castagnoli, b[start:start+4])
	crc = crc32.Update(crc, castagnoli, b[start+frameHeader:])
	binary.LittleEndian.PutUint32(b[start+4:], crc)
	return b
}

// Errors of the frame reader. errTorn is an incomplete last frame, what a
// crash in the middle of a write leaves; errCorrupt is a frame whose
// length or checksum is wrong.
var (
	errTorn    = errors.New("incomplete record")
	errCorrupt = errors.New("corrupt record")
)

// frameReader reads framed records. off is the end of the last good
// record: where the file is cut when what follows is a torn tail.
type frameReader struct {
	r      *bufio.Reader
	off    int64
	badEnd int64 // after a checksum mismatch, where the bad frame claims to end
	buf    bytes.Buffer
}

func newFrameReader(r io.Reader) *frameReader {
	return &frameReader{r: bufio.NewReaderSize(r, 64<<10)}
}

// readMagic checks the file header. An empty file, or one cut inside its
// header, is errTorn: a file that was being created.
func (fr *frameReader) readMagic() error {
	var m [len(magic)]byte
	n, err := io.ReadFull(fr.r, m[:])
	fr.off += int64(n)
	switch {
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		if string(m[:n]) == magic[:n] {
			return errTorn
		}
		return fmt.Errorf("%w: not a monotable data file", errCorrupt)
	case err != nil:
		return err
	case string(m[:]) != magic:
		return fmt.Errorf("%w: not a monotable data file", errCorrupt)
	}
	return nil
}

// next returns the next record; its body is valid until the next call.
// It returns io.EOF at a clean end, errTorn for a frame cut short and
// errCorrupt for a bad length or checksum.
func (fr *frameReader) next() (record, error) {
	var h [frameHeader]byte
	_, err := io.ReadFull(fr.r, h[:])
	switch {
	case err == io.EOF:
		return record{}, io.EOF
	case err == io.ErrUnexpectedEOF:
		return record{}, errTorn
	case err != nil:
		return record{}, err
	}
	size := binary.LittleEndian.Uint32(h[:4])
	if size == 0 || size > maxRecord {
		return record{}, fmt.Errorf("%w: length %d", errCorrupt, size)
	}
	// Grow with the data actually read, never with the claimed length.
	fr.buf.Reset()
	got, err := io.CopyN(&fr.buf, fr.r, int64(size))
	if got < int64(size) {
		if err == nil || err == io.EOF {
			return record{}, errTorn
		}
		return record{}, err
	}
	p := fr.buf.Bytes()
	crc := crc32.Update(0, castagnoli, h[:4])
	crc = crc32.Update(crc, castagnoli, p)
	if crc != binary.LittleEndian.Uint32(h[4:]) {
		fr.badEnd = fr.off + frameHeader + int64(size)
		return record{}, fmt.Errorf("%w: checksum mismatch", errCorrupt)
	}
	fr.off += frameHeader + int64(size)
	return record{kind: kind(p[0]), body: p[1:]}, nil
}
