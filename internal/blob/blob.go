// Package blob stores attachments (photos, scanned contracts, signed
// sheets) by content: the key is the SHA-256 of the bytes, so the same
// file uploaded twice is stored once. The default store is a directory on
// local disk opened with os.Root, so no key can escape it.
package blob

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"regexp"
)

// Store keeps blobs by their SHA-256.
type Store interface {
	// Put reads r (at most limit bytes; more is ErrTooLarge) and returns
	// the hex SHA-256 key and the size.
	Put(ctx context.Context, r io.Reader, limit int64) (key string, size int64, err error)
	Open(ctx context.Context, key string) (io.ReadCloser, error)
}

// ErrTooLarge is returned by Put when the content exceeds the limit.
var ErrTooLarge = errors.New("blob: content too large")

// ErrNotFound is returned by Open for an unknown key.
var ErrNotFound = errors.New("blob: not found")

var keyRE = regexp.MustCompile(`^[0-9a-f]{64}$`)

// Disk stores blobs under a directory as ab/cd/<sha256>.
type Disk struct {
	root *os.Root
}

// OpenDisk opens (creating) the directory dir.
func OpenDisk(dir string) (*Disk, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("blob: %w", err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("blob: %w", err)
	}
	if err := root.MkdirAll("tmp", 0o750); err != nil {
		return nil, fmt.Errorf("blob: %w", err)
	}
	return &Disk{root: root}, nil
}

// Close releases the directory.
func (d *Disk) Close() error { return d.root.Close() }

func keyPath(key string) string { return path.Join(key[:2], key[2:4], key) }

// Put stores r. The file is written to tmp/, synced, then renamed into
// place, so a crash never leaves a partial blob under its key.
func (d *Disk) Put(ctx context.Context, r io.Reader, limit int64) (string, int64, error) {
	var rnd [8]byte
	_, _ = rand.Read(rnd[:])
	tmp := path.Join("tmp", hex.EncodeToString(rnd[:]))
	f, err := d.root.OpenFile(tmp, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o640)
	if err != nil {
		return "", 0, fmt.Errorf("blob: %w", err)
	}
	defer d.root.Remove(tmp) //nolint:errcheck // gone after the rename
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), io.LimitReader(r, limit+1))
	if err == nil && n > limit {
		err = ErrTooLarge
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", 0, err
	}
	key := hex.EncodeToString(h.Sum(nil))
	if err := d.root.MkdirAll(path.Dir(keyPath(key)), 0o750); err != nil {
		return "", 0, fmt.Errorf("blob: %w", err)
	}
	if err := d.root.Rename(tmp, keyPath(key)); err != nil {
		return "", 0, fmt.Errorf("blob: %w", err)
	}
	return key, n, nil
}

// Open returns the blob with key.
func (d *Disk) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	if !keyRE.MatchString(key) {
		return nil, ErrNotFound
	}
	f, err := d.root.Open(keyPath(key))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNotFound
	}
	return f, err
}
