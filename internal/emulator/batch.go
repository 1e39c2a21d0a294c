package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
)

// JSON batching: https://learn.microsoft.com/graph/json-batching.
// At most 20 requests; each is answered inside a 200 response, so a
// throttled item shows up as a 429 item with its own Retry-After.

const maxBatch = 20

type batchItem struct {
	ID        string            `json:"id"`
	Method    string            `json:"method"`
	URL       string            `json:"url"`
	Headers   map[string]string `json:"headers"`
	Body      json.RawMessage   `json:"body"`
	DependsOn []string          `json:"dependsOn"`
}

func (s *Server) batchHandler(inner http.Handler) graphHandler {
	return func(c *call) {
		var req struct {
			Requests []batchItem `json:"requests"`
		}
		if err := json.Unmarshal(c.body, &req); err != nil || req.Requests == nil {
			c.graphError(http.StatusBadRequest, "BadRequest", "Invalid batch payload format.")
			return
		}
		if len(req.Requests) > maxBatch {
			c.graphError(http.StatusBadRequest, "BadRequest", fmt.Sprintf(
				"Number of batch requests exceeds the limit of %d.", maxBatch))
			return
		}
		// An id is "Not case-sensitive. Must be unique in the batch,
		// otherwise, the batch request fails with a 400 error code"
		// (https://learn.microsoft.com/graph/json-batching#creating-a-batch-request),
		// so ids are compared, and dependsOn resolved, without case.
		seen := map[string]bool{}
		for _, it := range req.Requests {
			key := strings.ToLower(it.ID)
			switch {
			case it.ID == "":
				c.graphError(http.StatusBadRequest, "BadRequest", "Every batch request requires an id.")
				return
			case seen[key]:
				c.graphError(http.StatusBadRequest, "BadRequest", fmt.Sprintf("Batch request id '%s' is not unique.", it.ID))
				return
			case it.Method == "" || it.URL == "":
				c.graphError(http.StatusBadRequest, "BadRequest", fmt.Sprintf("Batch request '%s' requires a method and a url.", it.ID))
				return
			case !writeHasBodyAndType(it):
				// "When a body is included with the request, the headers
				// object must contain a value for Content-Type" (same page).
				// Graph refuses the whole batch, and refuses a write with
				// no body too, with this message (observed; quoted in a
				// comment of the PnP Core SDK, pnp/pnpcore, which sends a
				// dummy body to a body-less POST for that reason).
				c.graphError(http.StatusBadRequest, "BadRequest", fmt.Sprintf(
					"Write request id : %s does not contain Content-Type header or body.", it.ID))
				return
			}
			for _, d := range it.DependsOn {
				if !seen[strings.ToLower(d)] {
					c.graphError(http.StatusBadRequest, "BadRequest", fmt.Sprintf(
						"Batch request '%s' depends on '%s', which is not an earlier request in the batch.", it.ID, d))
					return
				}
			}
			seen[key] = true
		}

		// Items run in request order (dependsOn needs it); with
		// Latitude.BatchOrder they are answered in another.
		status := map[string]int{}
		results := make([]map[string]any, len(req.Requests))
		for i, it := range req.Requests {
			res, code := c.runItem(inner, it, status)
			status[strings.ToLower(it.ID)] = code
			results[i] = res
		}
		writeJSON(c.w, http.StatusOK, map[string]any{"responses": c.s.inAnswerOrder(results)})
	}
}

// writeHasBodyAndType reports whether an item carries what Graph needs:
// a Content-Type header whenever it has a body, and a body (with its
// Content-Type) whenever it writes (POST, PATCH, PUT).
func writeHasBodyAndType(it batchItem) bool {
	hasBody := len(it.Body) > 0 && string(it.Body) != "null"
	hasType := false
	for k, v := range it.Headers {
		if strings.EqualFold(k, "Content-Type") && strings.TrimSpace(v) != "" {
			hasType = true
		}
	}
	switch strings.ToUpper(it.Method) {
	case http.MethodPost, http.MethodPatch, http.MethodPut:
		return hasBody && hasType
	}
	return !hasBody || hasType
}

func (c *call) runItem(inner http.Handler, it batchItem, status map[string]int) (map[string]any, int) {
	itemErr := func(st int, code, msg string) (map[string]any, int) {
		return map[string]any{
			"id": it.ID, "status": st,
			"headers": map[string]string{"Content-Type": "application/json"},
			"body": map[string]any{"error": map[string]any{
				"code": code, "message": msg,
				"innerError": map[string]any{"date": formatTime(c.s.now()), "request-id": newGUID(), "client-request-id": c.reqID},
			}},
		}, st
	}
	for _, d := range it.DependsOn {
		if status[strings.ToLower(d)] >= 400 {
			return itemErr(http.StatusFailedDependency, "FailedDependency", fmt.Sprintf("The request '%s' failed, so request '%s' was not executed.", d, it.ID))
		}
	}
	u := it.URL
	if strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://") || strings.HasPrefix(strings.TrimPrefix(u, "/"), "v1.0/") {
		return itemErr(http.StatusBadRequest, "BadRequest", "Batch request URLs must be relative to the version root, e.g. /users.")
	}
	if strings.HasPrefix(strings.TrimPrefix(u, "/"), "$batch") {
		return itemErr(http.StatusBadRequest, "BadRequest", "Nested batch requests are not supported.")
	}
	if !strings.HasPrefix(u, "/") {
		u = "/" + u
	}
	var body []byte
	if len(it.Body) > 0 && string(it.Body) != "null" {
		body = it.Body
	}
	r, err := http.NewRequestWithContext(withBatchItem(c.r.Context()), strings.ToUpper(it.Method), u, bytes.NewReader(body))
	if err != nil {
		return itemErr(http.StatusBadRequest, "BadRequest", "Invalid batch request url.")
	}
	for k, v := range it.Headers {
		r.Header.Set(k, v)
	}
	r.Header.Set("Authorization", c.r.Header.Get("Authorization"))
	r.RemoteAddr = c.r.RemoteAddr
	r.Host = c.r.Host
	rec := httptest.NewRecorder()
	inner.ServeHTTP(rec, r)
	c.s.count(fmt.Sprintf("status:%d", rec.Code))

	hdr := map[string]string{}
	for k := range rec.Header() {
		hdr[k] = rec.Header().Get(k)
	}
	out := map[string]any{"id": it.ID, "status": rec.Code, "headers": hdr}
	if b := rec.Body.Bytes(); len(b) > 0 {
		var v any
		if json.Unmarshal(b, &v) == nil {
			out["body"] = v
		} else {
			out["body"] = string(b)
		}
	}
	return out, rec.Code
}
