package localstack

import (
	"fmt"
	"strings"
	"sync"
	"time"
)

// Clock is the local stack's "now": the moment the API emulator puts in every request's
// timeEpoch and the timer puts in every deadline check. It is either frozen at a moment or
// runs at an offset from the machine's clock, so tests and walkthroughs run on fixed dates.
type Clock struct {
	mu     sync.Mutex
	frozen bool
	at     time.Time     // the frozen moment
	offset time.Duration // added to the machine's clock when not frozen
	wall   func() time.Time
}

// NewClock returns a clock on the machine's time.
func NewClock() *Clock { return &Clock{wall: time.Now} }

// ParseClock reads a clock setting: an RFC 3339 moment ("2026-10-15T10:00:00+05:00") freezes the
// clock there; a signed duration ("-720h", "+48h") runs it at that offset; "" or "system" is
// the machine's time.
func ParseClock(s string) (*Clock, error) {
	c := NewClock()
	s = strings.TrimSpace(s)
	if s == "" || s == "system" {
		return c, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		c.Freeze(t)
		return c, nil
	}
	if d, err := time.ParseDuration(s); err == nil {
		c.SetOffset(d)
		return c, nil
	}
	return nil, fmt.Errorf("clock %q: want an RFC 3339 moment (2026-10-15T10:00:00+05:00) or a signed duration (-720h)", s)
}

// Now is the clock's current moment.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.frozen {
		return c.at
	}
	return c.wall().Add(c.offset)
}

// Freeze stops the clock at t.
func (c *Clock) Freeze(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.frozen, c.at = true, t
}

// SetOffset runs the clock at the machine's time plus d.
func (c *Clock) SetOffset(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.frozen, c.offset = false, d
}

// Advance moves the clock forward by d (frozen or not).
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.frozen {
		c.at = c.at.Add(d)
		return
	}
	c.offset += d
}

// String describes the clock's setting.
func (c *Clock) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.frozen {
		return "frozen at " + c.at.Format(time.RFC3339)
	}
	if c.offset == 0 {
		return "the machine's time"
	}
	return "the machine's time " + fmt.Sprintf("%+v", c.offset)
}
