package proxy

import (
	"bytes"
	"errors"
	"io"
	"sync"
)

// capture passes a body through unchanged while keeping its first max bytes
// for validation. It never holds more than max bytes, whatever the body's
// size: a longer body is marked truncated and streams on.
type capture struct {
	rc      io.ReadCloser
	max     int64
	onClose func()

	mu        sync.Mutex
	buf       bytes.Buffer
	n         int64 // bytes passed through
	eof       bool
	truncated bool
	closed    sync.Once
}

// Read implements io.Reader.
func (c *capture) Read(p []byte) (int, error) {
	n, err := c.rc.Read(p)
	c.mu.Lock()
	if n > 0 {
		c.n += int64(n)
		if room := c.max - int64(c.buf.Len()); !c.truncated && room >= int64(n) {
			c.buf.Write(p[:n])
		} else {
			c.truncated = true
			c.buf.Reset() // a cut body is never validated nor recorded
		}
	}
	if errors.Is(err, io.EOF) {
		c.eof = true
	}
	c.mu.Unlock()
	return n, err
}

// Close implements io.Closer; the first Close runs onClose after closing.
func (c *capture) Close() error {
	err := c.rc.Close()
	c.closed.Do(func() {
		if c.onClose != nil {
			c.onClose()
		}
	})
	return err
}

// result is the captured bytes, whether the body was read to its end, and
// whether it was longer than max.
func (c *capture) result() (data []byte, complete, truncated bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.buf.Bytes(), c.eof, c.truncated
}

// size is the number of bytes passed through so far.
func (c *capture) size() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}
