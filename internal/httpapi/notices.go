package httpapi

import (
	"context"
	"net/http"
	"time"

	"attestation/internal/identity"
	"attestation/internal/notice"
)

// NoticeService is what the API needs of the personal cabinet (issue 13): *notice.Cabinet.
type NoticeService interface {
	List(ctx context.Context, actor identity.Actor, limit int, cursor string) ([]notice.Notification, string, error)
	MarkRead(ctx context.Context, actor identity.Actor, id string, at time.Time) (notice.Notification, error)
	OfCase(ctx context.Context, actor identity.Actor, caseID string) ([]notice.Notification, error)
}

var _ NoticeService = (*notice.Cabinet)(nil)

// ContactService is what the API needs of an organisation's contacts: *notice.ContactService.
type ContactService interface {
	Get(ctx context.Context, actor identity.Actor) (notice.Contacts, error)
	Put(ctx context.Context, actor identity.Actor, in notice.ContactsInput, now time.Time) (notice.Contacts, error)
}

var _ ContactService = (*notice.ContactService)(nil)

func (h *Handler) getContacts(ctx context.Context, r *request) (int, any, error) {
	c, err := h.contacts.Get(ctx, r.actor)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, c, nil
}

func (h *Handler) putContacts(ctx context.Context, r *request) (int, any, error) {
	var in notice.ContactsInput
	if err := decode(r, &in); err != nil {
		return 0, nil, err
	}
	c, err := h.contacts.Put(ctx, r.actor, in, r.now)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, c, nil
}

// noticeRoutes are the personal cabinet's routes: an applicant reads its organisation's
// notifications, a staff member its role's (the quality authority's: the complaints addressed to it).
func (h *Handler) noticeRoutes() map[string]route {
	readers := []identity.Role{identity.Applicant, identity.Authority, identity.STS, identity.QualityAuthority}
	return map[string]route{
		"GET /notifications":                        {roles: readers, handle: h.listNotices},
		"POST /notifications/{notificationId}/read": {roles: readers, handle: h.readNotice},
		"GET /contacts":                             {roles: []identity.Role{identity.Applicant}, handle: h.getContacts},
		"PUT /contacts":                             {roles: []identity.Role{identity.Applicant}, handle: h.putContacts, idempotent: true},
	}
}

// NotificationView is a notification as the cabinet shows it: unread until marked read.
type NotificationView struct {
	notice.Notification
	Unread bool `json:"unread"`
}

// NotificationPage is a page of the cabinet, newest first.
type NotificationPage struct {
	Notifications []NotificationView `json:"notifications"`
	Unread        int                `json:"unread"` // of this page only (openapi.yaml says why)
	Cursor        string             `json:"cursor,omitempty"`
}

func noticeViews(ns []notice.Notification) []NotificationView {
	out := make([]NotificationView, 0, len(ns))
	for _, n := range ns {
		out = append(out, NotificationView{Notification: n, Unread: n.Unread()})
	}
	return out
}

func (h *Handler) listNotices(ctx context.Context, r *request) (int, any, error) {
	limit, cursor, err := pageParams(r)
	if err != nil {
		return 0, nil, err
	}
	ns, next, err := h.notices.List(ctx, r.actor, limit, cursor)
	if err != nil {
		return 0, nil, err
	}
	page := NotificationPage{Notifications: noticeViews(ns), Cursor: next}
	for _, n := range ns {
		if n.Unread() {
			page.Unread++
		}
	}
	return http.StatusOK, page, nil
}

func (h *Handler) readNotice(ctx context.Context, r *request) (int, any, error) {
	n, err := h.notices.MarkRead(ctx, r.actor, r.PathParameters["notificationId"], r.now)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, NotificationView{Notification: n, Unread: n.Unread()}, nil
}
