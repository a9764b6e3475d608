package httpapi

// ObjectService is what the API needs of the objects of informatization and their annual plans
// (Annex 1, §11).
type ObjectService interface{}

// WithObjects sets the service behind the routes of objects and annual plans.
func (h *Handler) WithObjects(o ObjectService) *Handler {
	h.objects = o
	return h
}

// objectRoutes are the routes of objects of informatization and annual plans.
func (h *Handler) objectRoutes() map[string]route {
	return map[string]route{}
}
