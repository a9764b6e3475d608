package httpapi

import (
	"context"
	"net/http"
	"time"

	"attestation/internal/apperr"
	"attestation/internal/audit"
	"attestation/internal/callarchive"
	"attestation/internal/identity"
	"attestation/internal/statistics"
)

// ArchiveService reads a day's archive manifest of the call records (seed 003 §7-§8):
// *callarchive.Reader.
type ArchiveService interface {
	Manifest(ctx context.Context, day string) (callarchive.Manifest, string, error)
}

var _ ArchiveService = (*callarchive.Reader)(nil)

// StatisticsService is the statistics of the service for a period: *statistics.Service.
type StatisticsService interface {
	Period(ctx context.Context, actor identity.Actor, from, to string, now time.Time) (statistics.Report, error)
}

var _ StatisticsService = (*statistics.Service)(nil)

// recordsRoutes are the archive of the call records and the statistics of the service.
func (h *Handler) recordsRoutes() map[string]route {
	return map[string]route{
		"GET /audit/archive/{day}": {roles: []identity.Role{identity.Authority, identity.STS}, handle: h.archiveManifest},
		"GET /statistics":          {roles: statistics.Roles, handle: h.getStatistics},
	}
}

// ArchiveManifestView is a day's archive manifest and the SHA-256 of its bytes, which the next
// day's manifest links.
type ArchiveManifestView struct {
	Key            string               `json:"key"`
	ManifestSHA256 string               `json:"manifestSha256"`
	Manifest       callarchive.Manifest `json:"manifest"`
}

func (h *Handler) archiveManifest(ctx context.Context, r *request) (int, any, error) {
	day, err := audit.ParseDay(r.PathParameters["day"])
	if err != nil {
		return 0, nil, badRequest(apperr.Invalid, err.Error())
	}
	m, sum, err := h.archive.Manifest(ctx, day)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, ArchiveManifestView{Key: callarchive.ManifestKey(day), ManifestSHA256: sum, Manifest: m}, nil
}

func (h *Handler) getStatistics(ctx context.Context, r *request) (int, any, error) {
	q := r.QueryStringParameters
	rep, err := h.stats.Period(ctx, r.actor, q["from"], q["to"], r.now)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, rep, nil
}
