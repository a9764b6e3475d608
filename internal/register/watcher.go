package register

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"attestation/internal/policy"
)

// WatcherDeps are the ports the register's watch is built on; every one is required.
type WatcherDeps struct {
	Store    LifeStore       // the register's entries, read from the due index
	Signer   Signer          // signs the revision each flag writes (§29)
	Calendar policy.Calendar // the working-day calendar the periods are counted on
	Log      *slog.Logger
}

// Watcher is the register's part of the daily deadline check (§40-§48), built without what only
// the API's routes need (the decisions' records, their renderer, the maker of duplicates), so the
// deadline check builds none of them.
type Watcher struct{ svc *Service }

// NewWatcher returns the watch on d, or an error naming the first port d lacks.
func NewWatcher(d WatcherDeps) (*Watcher, error) {
	for _, p := range []struct {
		name    string
		missing bool
	}{
		{"Store", d.Store == nil}, {"Signer", d.Signer == nil}, {"Calendar", d.Calendar == nil}, {"Log", d.Log == nil},
	} {
		if p.missing {
			return nil, fmt.Errorf("register watch: %s is required", p.name)
		}
	}
	return &Watcher{svc: &Service{store: d.Store, signer: d.Signer, cal: d.Calendar, log: d.Log}}, nil
}

// Check runs the watch at now (Service.Check): a deadline.Checker.
func (w *Watcher) Check(ctx context.Context, now time.Time) (any, error) {
	return w.svc.Check(ctx, now)
}
