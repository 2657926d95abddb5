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
	buf       *bytes.Buffer // from bufferPool at the first byte; nil after release
	n         int64         // bytes passed through
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
		switch {
		case c.truncated:
		case c.n > c.max:
			c.truncated = true
			c.putBuffer() // a cut body is never validated nor recorded
		default:
			if c.buf == nil {
				c.buf = bufferPool.Get().(*bytes.Buffer)
			}
			c.buf.Write(p[:n])
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
	if c.buf == nil {
		return nil, c.eof, c.truncated
	}
	return c.buf.Bytes(), c.eof, c.truncated
}

// bufferPool recycles the capture buffers: a page of apps is 20 kB, which a
// new bytes.Buffer reaches through ten allocations and copies, on every
// exchange.
var bufferPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledBuffer keeps the pool from holding on to the rare large body.
const maxPooledBuffer = 256 << 10

// release gives the buffer back once the exchange has been validated and
// recorded; the bytes result returned are then no longer valid.
func (c *capture) release() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.putBuffer()
}

func (c *capture) putBuffer() {
	if c.buf == nil {
		return
	}
	if c.buf.Cap() <= maxPooledBuffer {
		c.buf.Reset()
		bufferPool.Put(c.buf)
	}
	c.buf = nil
}

// size is the number of bytes passed through so far.
func (c *capture) size() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}
