//go:build !unix

package persist

// lockDir does not lock on this platform: run one endpoint per directory.
func lockDir(string) (func() error, error) { return func() error { return nil }, nil }

// syncDir is a no-op where directories cannot be opened for syncing;
// renames there are as durable as the platform makes them.
func syncDir(string) error { return nil }
