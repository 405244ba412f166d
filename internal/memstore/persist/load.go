package persist

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/monotable/monotable/internal/memstore/wire"
)

// loadStats is what recovery reports.
type loadStats struct {
	records int   // records applied, snapshot and logs
	dropped int64 // bytes of torn tail discarded
}

// load rebuilds the store from the snapshot and the logs after it, opens
// the last log for appending, and returns that log's size.
//
// A snapshot of generation G holds the state as of the start of log G
// (and possibly some writes logged after it: replaying those again is
// harmless, since log records are item images). Logs before G are
// leftovers of a compaction that crashed before removing them.
func (s *Store) load() (int64, error) {
	start := time.Now()
	if err := removeIfExists(filepath.Join(s.dir, snapshotTemp)); err != nil {
		return 0, err
	}
	var st loadStats
	var gen uint64
	snap := filepath.Join(s.dir, snapshotFile)
	switch f, err := os.Open(snap); {
	case err == nil:
		gen, err = s.replaySnapshot(f, &st)
		if info, serr := f.Stat(); serr == nil {
			s.snapshotSize.Store(info.Size())
		}
		f.Close()
		if err != nil {
			return 0, fmt.Errorf("persist: %s: %w", snap, err)
		}
	case !errors.Is(err, fs.ErrNotExist):
		return 0, fmt.Errorf("persist: %w", err)
	}

	gens, err := listLogs(s.dir)
	if err != nil {
		return 0, err
	}
	var live []uint64
	for _, g := range gens {
		if gen != 0 && g < gen {
			if err := removeIfExists(filepath.Join(s.dir, logName(g))); err != nil {
				return 0, err
			}
			continue
		}
		live = append(live, g)
	}
	if gen == 0 {
		gen = 1
		if len(live) > 0 {
			gen = live[0]
		}
	}
	for i, g := range live {
		if g != gen+uint64(i) {
			return 0, fmt.Errorf("persist: %s: log %s is missing", s.dir, logName(gen+uint64(i)))
		}
	}

	var f *os.File
	var size int64
	if len(live) == 0 {
		if f, err = createLog(s.dir, gen); err != nil {
			return 0, err
		}
		size = int64(len(magic))
	}
	for i, g := range live {
		last := i == len(live)-1
		lf, n, err := s.replayLog(filepath.Join(s.dir, logName(g)), last, &st)
		if err != nil {
			return 0, err
		}
		if last {
			f, size, gen = lf, n, g
		}
	}
	s.gen = gen
	s.w = newWAL(f, size)

	tables := 0
	if out, err := s.Store.ListTables(context.Background(), &dynamodb.ListTablesInput{}); err == nil {
		tables = len(out.TableNames)
	}
	s.log.Info("persist: loaded",
		"dir", s.dir, "tables", tables, "records", st.records,
		"log", logName(gen), "duration", time.Since(start).Round(time.Millisecond))
	return size, nil
}

// replaySnapshot applies a snapshot and returns its generation. A
// snapshot is written whole and renamed into place, so anything but a
// complete one, header to trailer, is corruption.
func (s *Store) replaySnapshot(f *os.File, st *loadStats) (uint64, error) {
	fr := newFrameReader(f)
	if err := fr.readMagic(); err != nil {
		return 0, err
	}
	rec, err := fr.next()
	if err != nil {
		return 0, err
	}
	if rec.kind != kindSnapshot || len(rec.body) != 8 {
		return 0, fmt.Errorf("%w: no snapshot header", errCorrupt)
	}
	gen := binary.LittleEndian.Uint64(rec.body)
	for n := 1; ; n++ {
		rec, err := fr.next()
		if err == io.EOF {
			return 0, fmt.Errorf("%w: the snapshot has no trailer", errCorrupt)
		}
		if err != nil {
			return 0, fmt.Errorf("record %d: %w", n, err)
		}
		if rec.kind == kindEnd {
			if _, err := fr.next(); err != io.EOF {
				return 0, fmt.Errorf("%w: data after the trailer", errCorrupt)
			}
			return gen, nil
		}
		if err := s.apply(rec); err != nil {
			return 0, fmt.Errorf("record %d (%s): %w", n, rec.kind, err)
		}
		st.records++
	}
}

// replayLog applies one log. The last log may end in a torn record, the
// write a crash interrupted, which was never acknowledged: it is cut
// off. Anything else that does not decode is corruption and stops the
// load, since acknowledged writes would be lost. The last log is returned
// open, positioned for appending.
func (s *Store) replayLog(path string, last bool, st *loadStats) (*os.File, int64, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return nil, 0, fmt.Errorf("persist: %w", err)
	}
	fail := func(err error) (*os.File, int64, error) {
		f.Close()
		return nil, 0, fmt.Errorf("persist: %s: %w", path, err)
	}
	fr := newFrameReader(f)
	err = fr.readMagic()
	switch {
	case errors.Is(err, errTorn) && last:
		// Created, but the crash came before its header was synced.
		return s.cut(f, path, 0, true, st)
	case err != nil:
		return fail(err)
	}
	for n := 1; ; n++ {
		rec, err := fr.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			if !last || !s.tornTail(f, fr, err) {
				return fail(fmt.Errorf("record %d at offset %d: %w", n, fr.off, err))
			}
			return s.cut(f, path, fr.off, false, st)
		}
		if err := s.apply(rec); err != nil {
			return fail(fmt.Errorf("replaying record %d (%s) at offset %d: %w", n, rec.kind, fr.off, err))
		}
		st.records++
	}
	if !last {
		return nil, 0, f.Close()
	}
	if _, err := f.Seek(fr.off, io.SeekStart); err != nil {
		return fail(err)
	}
	return f, fr.off, nil
}

// tornTail reports whether the undecodable bytes at fr.off are the end of
// an interrupted write rather than damage in the middle of the log: a
// frame that runs past the end of the file, or a bad frame with nothing
// decodable after it (a crash of the machine can leave garbage in the
// last blocks). A bad frame followed by a good one is corruption.
func (s *Store) tornTail(f *os.File, fr *frameReader, err error) bool {
	switch {
	case errors.Is(err, errTorn):
		return true
	case !errors.Is(err, errCorrupt):
		return false // an I/O error
	case fr.badEnd <= fr.off:
		return true // a garbage length: there is no next frame to look at
	}
	if _, err := f.Seek(fr.badEnd, io.SeekStart); err != nil {
		return false
	}
	_, err = newFrameReader(f).next()
	return err != nil
}

// cut truncates a torn log at off, rewriting the header if the file was
// cut inside it, and returns it open for appending.
func (s *Store) cut(f *os.File, path string, off int64, header bool, st *loadStats) (*os.File, int64, error) {
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, fmt.Errorf("persist: %w", err)
	}
	dropped := info.Size() - off
	st.dropped += dropped
	err = f.Truncate(off)
	if err == nil {
		_, err = f.Seek(off, io.SeekStart)
	}
	if err == nil && header {
		_, err = f.WriteString(magic)
		off = int64(len(magic))
	}
	if err == nil {
		err = f.Sync()
	}
	if err != nil {
		f.Close()
		return nil, 0, fmt.Errorf("persist: repairing %s: %w", path, err)
	}
	s.log.Warn("persist: discarded the torn end of the log (a write interrupted by a crash, never acknowledged)",
		"file", path, "offset", off, "bytes", dropped)
	return f, off, nil
}

// replay decodes a logged request, lets fix adjust it (nil for none) and
// applies it to the store.
func replay[I, O any](ctx context.Context, body []byte, fix func(*I), call func(context.Context, *I, ...func(*dynamodb.Options)) (O, error)) error {
	var in I
	if err := wire.Unmarshal(body, &in); err != nil {
		return err
	}
	if fix != nil {
		fix(&in)
	}
	_, err := call(ctx, &in)
	return err
}

// apply replays one record on the store.
func (s *Store) apply(rec record) error {
	ctx := context.Background()
	var err error
	switch rec.kind {
	case kindCreateTable:
		err = replay(ctx, rec.body, nil, s.Store.CreateTable)
	case kindUpdateTable:
		err = replay(ctx, rec.body, nil, s.Store.UpdateTable)
	case kindDeleteTable:
		err = replay(ctx, rec.body, nil, s.Store.DeleteTable)
	case kindUpdateTTL:
		err = replay(ctx, rec.body, nil, s.Store.UpdateTimeToLive)
	case kindTag:
		err = replay(ctx, rec.body, func(in *dynamodb.TagResourceInput) {
			in.ResourceArn = s.currentARN(ctx, in.ResourceArn)
		}, s.Store.TagResource)
	case kindUntag:
		err = replay(ctx, rec.body, func(in *dynamodb.UntagResourceInput) {
			in.ResourceArn = s.currentARN(ctx, in.ResourceArn)
		}, s.Store.UntagResource)
	case kindUpdateBackups:
		err = replay(ctx, rec.body, nil, s.Store.UpdateContinuousBackups)
	case kindInsights:
		err = replay(ctx, rec.body, nil, s.Store.UpdateContributorInsights)
	case kindPutPolicy:
		err = replay(ctx, rec.body, func(in *dynamodb.PutResourcePolicyInput) {
			in.ResourceArn = s.currentARN(ctx, in.ResourceArn)
			in.ExpectedRevisionId = nil // revisions are renumbered on replay
		}, s.Store.PutResourcePolicy)
	case kindDeletePolicy:
		err = replay(ctx, rec.body, func(in *dynamodb.DeleteResourcePolicyInput) {
			in.ResourceArn = s.currentARN(ctx, in.ResourceArn)
			in.ExpectedRevisionId = nil
		}, s.Store.DeleteResourcePolicy)
	case kindWrite:
		var in dynamodb.BatchWriteItemInput
		if err = wire.Unmarshal(rec.body, &in); err != nil {
			break
		}
		// One request at a time: a record may hold more writes than one
		// BatchWriteItem allows. Tables in name order, as BatchWriteItem
		// applies them (a table named both by name and by ARN could hold
		// one key twice).
		for _, name := range slices.Sorted(maps.Keys(in.RequestItems)) {
			for _, r := range in.RequestItems[name] {
				switch {
				case r.PutRequest != nil:
					_, err = s.Store.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(name), Item: r.PutRequest.Item})
				case r.DeleteRequest != nil:
					_, err = s.Store.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(name), Key: r.DeleteRequest.Key})
				default:
					err = errors.New("empty write request")
				}
				if err != nil {
					return err
				}
			}
		}
	default:
		err = fmt.Errorf("unknown record kind %d (written by a newer monotable?)", byte(rec.kind))
	}
	return err
}
