package persist

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// The files of a data directory.
const (
	snapshotFile = "snapshot"     // the last complete snapshot
	snapshotTemp = "snapshot.tmp" // the one being written; never read
	logPrefix    = "log-"         // log-<generation>, 20 digits
	lockFile     = "LOCK"
)

func logName(gen uint64) string { return fmt.Sprintf("%s%020d", logPrefix, gen) }

// listLogs returns the generations of the log files in dir, in order.
func listLogs(dir string) ([]uint64, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("persist: %w", err)
	}
	var gens []uint64
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), logPrefix)
		if !ok {
			continue
		}
		g, err := strconv.ParseUint(rest, 10, 64)
		if err != nil || len(rest) != 20 || g == 0 {
			continue
		}
		gens = append(gens, g)
	}
	slices.Sort(gens)
	return gens, nil
}

// createLog creates (or empties) the log of generation gen with its
// header, durably: the file is synced, then the directory, so a crash
// never leaves a snapshot that names a log the directory lost.
func createLog(dir string, gen uint64) (*os.File, error) {
	path := filepath.Join(dir, logName(gen))
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, fmt.Errorf("persist: %w", err)
	}
	if _, err := f.WriteString(magic); err != nil {
		f.Close()
		return nil, fmt.Errorf("persist: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, fmt.Errorf("persist: %w", err)
	}
	if err := syncDir(dir); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// removeIfExists removes path; a missing file is not an error.
func removeIfExists(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("persist: %w", err)
	}
	return nil
}
