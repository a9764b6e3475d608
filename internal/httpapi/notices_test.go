package httpapi

import (
	"context"
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"attestation/internal/apperr"
	"attestation/internal/identity"
	"attestation/internal/notice"
)

// memNotices is an in-memory notice.Store.
type memNotices struct {
	mu sync.Mutex
	ns []notice.Notification
}

func newMemNotices() *memNotices { return &memNotices{} }

func (m *memNotices) add(n notice.Notification) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.ns = append(m.ns, n)
}

func (m *memNotices) newestFirst(keep func(notice.Notification) bool) []notice.Notification {
	var out []notice.Notification
	for _, n := range m.ns {
		if keep(n) {
			out = append(out, n)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.After(out[j].At) })
	return out
}

func (m *memNotices) ByAudience(ctx context.Context, to notice.Audience, limit int, cursor string) ([]notice.Notification, string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	all := m.newestFirst(func(n notice.Notification) bool { return n.To == to })
	start := 0
	if cursor != "" {
		var err error
		if start, err = strconv.Atoi(cursor); err != nil {
			return nil, "", apperr.ErrBadCursor
		}
	}
	end, next := min(start+limit, len(all)), ""
	if end < len(all) {
		next = strconv.Itoa(end)
	}
	return all[start:end], next, nil
}

func (m *memNotices) ByCase(ctx context.Context, caseID string, limit int) ([]notice.Notification, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.newestFirst(func(n notice.Notification) bool { return n.CaseID == caseID }), nil
}

func (m *memNotices) MarkRead(ctx context.Context, to notice.Audience, id string, at time.Time) (notice.Notification, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, n := range m.ns {
		if n.ID == id && n.To == to {
			if n.ReadAt == nil {
				m.ns[i].ReadAt = &at
			}
			return m.ns[i], nil
		}
	}
	return notice.Notification{}, apperr.Hidden(apperr.NotFound, "notification", "notification %s", id)
}

// TestNotificationsCabinet: an applicant reads only its own organisation's notifications, a staff
// member only its role's; newest first, paged, unread until marked read; another audience's
// notification is not found (issue 13, the personal cabinet).
func TestNotificationsCabinet(t *testing.T) {
	store := newMemNotices()
	e := newEnv()
	e.rebuild(func(d *Deps) { d.Notices = notice.NewCabinet(store) })
	due := requestTime.Add(72 * time.Hour)
	for i, n := range []notice.Notification{
		{ID: "A-1.3.1", Kind: notice.FilingReceived, To: notice.Audience{BIN: bin}, CaseID: "A-1", Paragraph: "§14"},
		{ID: "A-1.6.1", Kind: notice.ContractSent, To: notice.Audience{BIN: bin}, CaseID: "A-1", Paragraph: "§17", DueAt: &due},
		{ID: "B-1.6.1", Kind: notice.ContractSent, To: notice.Audience{BIN: "990540001234"}, CaseID: "B-1", Paragraph: "§17"},
		{ID: "A-1.4.1", Kind: notice.StepOpened, To: notice.Audience{Role: identity.Authority}, CaseID: "A-1", Step: "completeness_check"},
	} {
		n.At = requestTime.Add(time.Duration(i) * time.Minute)
		store.add(n)
	}
	list := func(claims map[string]string, query map[string]string) (int, NotificationPage) {
		resp, _ := e.do(t, req{routeKey: "GET /notifications", path: "/notifications", claims: claims, query: query})
		var p NotificationPage
		if resp.StatusCode == 200 {
			if err := json.Unmarshal([]byte(resp.Body), &p); err != nil {
				t.Fatal(err)
			}
		}
		return resp.StatusCode, p
	}
	t.Run("applicant sees its organisation's, newest first, paged", func(t *testing.T) {
		status, p := list(applicantClaims, map[string]string{"limit": "1"})
		if status != 200 || len(p.Notifications) != 1 || p.Notifications[0].ID != "A-1.6.1" || p.Cursor == "" || p.Unread != 1 {
			t.Fatalf("%d %+v", status, p)
		}
		_, p = list(applicantClaims, map[string]string{"cursor": p.Cursor})
		if len(p.Notifications) != 1 || p.Notifications[0].ID != "A-1.3.1" || p.Cursor != "" {
			t.Fatalf("second page %+v", p)
		}
	})
	t.Run("staff sees its role's", func(t *testing.T) {
		_, p := list(authorityClaims, nil)
		if len(p.Notifications) != 1 || p.Notifications[0].ID != "A-1.4.1" {
			t.Fatalf("%+v", p)
		}
		if _, p := list(stsClaims, nil); len(p.Notifications) != 0 {
			t.Fatalf("the STS sees the authority's: %+v", p)
		}
	})
	read := func(claims map[string]string, id string) int {
		resp, _ := e.do(t, req{routeKey: "POST /notifications/{notificationId}/read", path: "/notifications/" + id + "/read",
			params: map[string]string{"notificationId": id}, claims: claims})
		return resp.StatusCode
	}
	t.Run("another organisation's is not found", func(t *testing.T) {
		if s := read(applicantClaims, "B-1.6.1"); s != 404 {
			t.Fatalf("status %d", s)
		}
		if s := read(authorityClaims, "A-1.6.1"); s != 404 {
			t.Fatalf("staff marking the applicant's: status %d", s)
		}
	})
	t.Run("marked read once", func(t *testing.T) {
		if s := read(applicantClaims, "A-1.6.1"); s != 200 {
			t.Fatalf("status %d", s)
		}
		if s := read(applicantClaims, "A-1.6.1"); s != 200 {
			t.Fatalf("again: status %d", s)
		}
		_, p := list(applicantClaims, nil)
		if p.Unread != 1 || p.Notifications[0].Unread || !p.Notifications[1].Unread {
			t.Fatalf("%+v", p)
		}
	})
	t.Run("the public has no cabinet", func(t *testing.T) {
		if status, _ := list(nil, nil); status != 401 {
			t.Fatalf("status %d", status)
		}
	})
}

// memContacts is an in-memory notice.ContactStore.
type memContacts struct {
	mu sync.Mutex
	by map[string]notice.Contacts
}

func newMemContacts() *memContacts { return &memContacts{by: map[string]notice.Contacts{}} }

func (m *memContacts) Contacts(ctx context.Context, bin string) (notice.Contacts, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c, ok := m.by[bin]
	if !ok {
		return notice.Contacts{}, apperr.Hidden(apperr.NotFound, "contacts", "none")
	}
	return c, nil
}

func (m *memContacts) PutContacts(ctx context.Context, c notice.Contacts) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.by[c.BIN] = c
	return nil
}

// TestContactsOfTheOrganisation: an applicant registers its organisation's addresses and language
// (kk, ru or en) for its notifications; a bad address or language is 422 naming the field; staff
// have no such route (issue 13).
func TestContactsOfTheOrganisation(t *testing.T) {
	e := newEnv()
	put := func(claims map[string]string, body string) (int, string) {
		resp, _ := e.do(t, req{routeKey: "PUT /contacts", path: "/contacts", claims: claims, body: body,
			headers: map[string]string{"content-type": "application/json"}})
		return resp.StatusCode, resp.Body
	}
	if s, b := put(applicantClaims, `{"addresses":["office@example.kz"],"language":"kk"}`); s != 200 || !strings.Contains(b, `"language":"kk"`) {
		t.Fatalf("%d %s", s, b)
	}
	resp, _ := e.do(t, req{routeKey: "GET /contacts", path: "/contacts", claims: applicantClaims})
	if resp.StatusCode != 200 || !strings.Contains(resp.Body, "office@example.kz") {
		t.Fatalf("%d %s", resp.StatusCode, resp.Body)
	}
	for body, field := range map[string]string{
		`{"addresses":["not an address"],"language":"ru"}`: "addresses[0]",
		`{"addresses":[],"language":"de"}`:                 "language",
	} {
		if s, b := put(applicantClaims, body); s != 422 || !strings.Contains(b, field) {
			t.Fatalf("%s: %d %s", body, s, b)
		}
	}
	if s, _ := put(authorityClaims, `{"addresses":[],"language":"ru"}`); s != 403 {
		t.Fatalf("staff: %d", s)
	}
}
