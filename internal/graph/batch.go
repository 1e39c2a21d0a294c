package graph

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	abs "github.com/microsoft/kiota-abstractions-go"
)

// Terraform refreshes every resource with its own Read call, up to its
// parallelism (10 by default) at a time. Sent one by one, a plan over 1,000
// guests costs 1,000 GETs; gathered into JSON batches
// (https://learn.microsoft.com/graph/json-batching, at most 20 requests per
// batch) it costs about a tenth of that, and each batch is one round trip.
const (
	maxBatchItems = 20
	// batchMaxWait bounds how long a read waits for company. Within it, a
	// batch goes as soon as as many reads are queued as callers were
	// recently reading at once (userBatcher.want), so a full batch never
	// waits; only a batch whose company does not come waits this long.
	// BENCHMARKS.md: a fixed idle gap (5 or 10 ms) split Terraform's ten
	// parallel reads into batches of 2.7 on a busy machine, because the
	// reads of one round arrive tens of milliseconds apart.
	batchMaxWait = 50 * time.Millisecond
	// concurrencyMemory is how many past batches the learnt concurrency
	// covers: a drop in callers costs one batchMaxWait per batch for at
	// most this many batches.
	concurrencyMemory = 4
	// minHeldBatch is the smallest learnt concurrency for which a read waits
	// for company. Below it a batch would save one or two requests for up
	// to batchMaxWait of the first read's time: the case of creates, whose
	// reads (one per new user) arrive one by one between paced invitations,
	// and for which that wait lengthened every create (BENCHMARKS.md).
	minHeldBatch = 4
)

var opBatch = operation{name: "POST /$batch", permission: permRead}

// userBatcher coalesces concurrent GetUser calls into POST /$batch requests.
//
// Terraform refreshes with a fixed number of workers (-parallelism, 10 by
// default), each of which reads one resource and then waits for Terraform
// to plan it before the next read. The reads of one round therefore come
// back together and the next round arrives as a burst of about as many
// reads, spread over however long Terraform takes to plan the previous
// ones. The batcher learns that number (the most callers it held at once
// during each of the last few batches) and sends a batch as soon as that
// many reads are queued, or when the first queued read has waited maxWait.
type userBatcher struct {
	c       *client
	clock   Clock
	maxWait time.Duration
	max     int
	// send answers every read it is given; b.send unless a test replaces it.
	send func([]*batchRead)

	mu      sync.Mutex
	pending []*batchRead
	stop    func() bool // cancels the flush of pending after maxWait
	gen     int         // bumped whenever pending is taken, so a stale timer does nothing
	// inside counts callers between queueing a read and getting its answer,
	// peak is the most seen since the last batch went, peaks the same for
	// the last concurrencyMemory batches.
	inside int
	peak   int
	peaks  [concurrencyMemory]int
	next   int
}

type batchRead struct {
	ctx  context.Context
	id   string
	done chan batchAnswer // buffered: the sender never blocks on a caller that left
	// path, when set, makes this a read of another resource than the user
	// (e.g. the first page of its memberOf): the item's URL relative to the
	// version root, answered with the raw body; op names it in errors.
	path string
	op   operation
}

type batchAnswer struct {
	user *User
	body json.RawMessage // the answer to a read with a path
	err  error
	// alone: no other read came within the window, so the caller sends a
	// plain GET itself, under its own context (its cancellation then
	// reports Graph's last answer, as any direct call does).
	alone bool
}

func newUserBatcher(c *client, maxWait time.Duration, clock Clock) *userBatcher {
	b := &userBatcher{c: c, clock: clock, maxWait: maxWait, max: maxBatchItems}
	b.send = b.sendReads
	return b
}

// want is how many queued reads make a batch worth sending now: the most
// callers seen at once recently, the current gathering included. A caller
// waiting for an earlier batch's answer counts, because under Terraform
// it is about to read again.
func (b *userBatcher) wantLocked() int {
	w := b.peak
	for _, p := range b.peaks {
		w = max(w, p)
	}
	return min(max(w, 1), b.max)
}

// get queues a read and waits for its answer. A read that gets no company
// within the window goes out as a plain GET.
func (b *userBatcher) get(ctx context.Context, id string) (*User, error) {
	return b.getRead(&batchRead{ctx: ctx, id: id, done: make(chan batchAnswer, 1)})
}

func (b *userBatcher) getRead(r *batchRead) (*User, error) {
	defer b.leave()
	a, err := b.wait(r)
	switch {
	case err != nil:
		return nil, err
	case a.alone:
		return b.c.getUserDirect(r.ctx, r.id)
	}
	return a.user, a.err
}

// getBody queues a GET of path (relative to the version root, e.g. a
// user's memberOf) to travel in the next batch with the user reads, and
// returns the item's body. alone reports that no batch formed: the caller
// then sends the request itself.
//
// The caller counts as reading (for the concurrency the batcher learns)
// until it calls done, after its own request when alone.
func (b *userBatcher) getBody(ctx context.Context, op operation, path string) (body []byte, alone bool, done func(), err error) {
	a, err := b.wait(&batchRead{ctx: ctx, path: path, op: op, done: make(chan batchAnswer, 1)})
	switch {
	case err != nil:
		return nil, false, b.leave, err
	case a.alone:
		return nil, true, b.leave, nil
	}
	return a.body, false, b.leave, a.err
}

// readFromBatch reads path as an item of the next read batch and decodes
// the item's body with decode; when no batch forms it reads with direct
// instead, still counted among the readers until that read is answered.
func readFromBatch[T any](ctx context.Context, b *userBatcher, op operation, path string,
	direct func(context.Context) (T, error), decode func([]byte) (T, error)) (T, error) {
	body, alone, done, err := b.getBody(ctx, op, path)
	defer done()
	if alone {
		return direct(ctx)
	}
	if err != nil {
		var zero T
		return zero, err
	}
	return decode(body)
}

// enter counts a caller as reading before it knows whether it will need
// a batch (the guest snapshot may answer it), and returns the learnt
// concurrency. The caller calls leave when done.
func (b *userBatcher) enter() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.inside++
	b.peak = max(b.peak, b.inside)
	return b.wantLocked()
}

// leave ends a caller's read: it no longer counts among those reading at once.
func (b *userBatcher) leave() {
	b.mu.Lock()
	b.inside--
	b.mu.Unlock()
}

// wait queues r and waits for its batch's answer. The caller counts as
// reading until it calls leave, which it does after its own GET when the
// answer says alone: callers reading directly are company too.
func (b *userBatcher) wait(r *batchRead) (batchAnswer, error) {
	ctx := r.ctx
	b.mu.Lock()
	b.inside++
	b.peak = max(b.peak, b.inside)
	b.pending = append(b.pending, r)
	if want := b.wantLocked(); len(b.pending) >= want || want < minHeldBatch {
		reads := b.takeLocked()
		b.mu.Unlock()
		go b.send(reads)
	} else {
		if len(b.pending) == 1 {
			gen := b.gen
			b.stop = b.clock.AfterFunc(b.maxWait, func() { b.flush(gen) })
		}
		b.mu.Unlock()
	}
	select {
	case a := <-r.done:
		return a, nil
	case <-ctx.Done():
		return batchAnswer{}, ctx.Err()
	}
}

func (b *userBatcher) takeLocked() []*batchRead {
	reads := b.pending
	b.pending = nil
	b.gen++
	if b.stop != nil {
		b.stop()
		b.stop = nil
	}
	b.peaks[b.next] = b.peak
	b.next = (b.next + 1) % len(b.peaks)
	// The reads just taken are still inside until answered: they count
	// towards the next batch's company, as the round they belong to will
	// come back as the next burst.
	b.peak = b.inside
	return reads
}

func (b *userBatcher) flush(gen int) {
	b.mu.Lock()
	if gen != b.gen || len(b.pending) == 0 {
		b.mu.Unlock()
		return
	}
	reads := b.takeLocked()
	b.mu.Unlock()
	b.send(reads)
}

// sendReads answers every read in reads, with one request whatever their number.
func (b *userBatcher) sendReads(reads []*batchRead) {
	live := reads[:0]
	for _, r := range reads {
		if r.ctx.Err() == nil {
			live = append(live, r)
		}
	}
	switch len(live) {
	case 0:
		return
	case 1:
		live[0].done <- batchAnswer{alone: true}
		return
	}
	ctx, cancel := batchContext(live, b.c.retryBudget)
	defer cancel()
	answers, err := b.c.sendUserBatch(ctx, live)
	for i, r := range live {
		if err != nil {
			r.done <- batchAnswer{err: err}
			continue
		}
		r.done <- answers[i]
	}
}

// batchContext outlives any one caller giving up (the others still want
// their answers) and ends with the last caller's deadline. It keeps the
// first caller's values, so logging follows the Terraform operation.
func batchContext(reads []*batchRead, budget time.Duration) (context.Context, context.CancelFunc) {
	var last time.Time
	for _, r := range reads {
		d, ok := r.ctx.Deadline()
		if !ok {
			d = time.Now().Add(budget)
		}
		if d.After(last) {
			last = d
		}
	}
	ctx := context.WithValue(context.WithoutCancel(reads[0].ctx), lastResponseKey{}, &lastResponse{})
	return context.WithDeadline(ctx, last)
}

type batchRequestItem struct {
	ID     string `json:"id"`
	Method string `json:"method"`
	URL    string `json:"url"`
}

type batchResponseItem struct {
	ID      string            `json:"id"`
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers"`
	Body    json.RawMessage   `json:"body"`
}

// userItemURL is the relative URL of a user read inside a batch: relative to
// the version root, with the same $select as a direct GetUser.
func (c *client) userItemURL(id string) string {
	return "/users/" + url.PathEscape(id) + "?$select=" + strings.Join(c.selectList(), ",")
}

// sendUserBatch sends one POST /$batch for reads and returns one answer per
// read, in order. The error is for the batch as a whole (it was refused or
// never answered); an item's own failure is in its answer.
func (c *client) sendUserBatch(ctx context.Context, reads []*batchRead) ([]batchAnswer, error) {
	items := make([]batchRequestItem, len(reads))
	for i, r := range reads {
		u := r.path
		if u == "" {
			u = c.userItemURL(r.id)
		}
		items[i] = batchRequestItem{ID: strconv.Itoa(i + 1), Method: "GET", URL: u}
	}
	body, err := json.Marshal(map[string]any{"requests": items})
	if err != nil {
		return nil, fmt.Errorf("graph: encoding the batch: %w", err)
	}
	var raw []byte
	err = c.call(ctx, opBatch, func(ctx context.Context) error {
		ri := abs.NewRequestInformationWithMethodAndUrlTemplateAndPathParameters(abs.POST,
			"{+baseurl}/$batch", map[string]string{"baseurl": c.adapter.GetBaseUrl()})
		ri.Headers.TryAdd("Accept", "application/json")
		ri.SetStreamContentAndContentType(body, "application/json")
		res, err := c.adapter.SendPrimitive(ctx, ri, "[]byte", errorMapping)
		if err != nil {
			return err
		}
		raw, _ = res.([]byte)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return c.splitUserBatch(raw, reads)
}

// splitUserBatch maps the batch response back onto reads. Graph may answer
// the items in any order, so they are matched by id, and ids are "not
// case-sensitive" (https://learn.microsoft.com/graph/json-batching), so
// without case (the ids sent are numbers: a safeguard only).
func (c *client) splitUserBatch(raw []byte, reads []*batchRead) ([]batchAnswer, error) {
	var env struct {
		Responses []batchResponseItem `json:"responses"`
	}
	if err := json.Unmarshal(raw, &env); err != nil {
		return nil, &Error{Operation: opBatch.name, Message: "Graph's batch response is not valid JSON: " + err.Error(), cause: err}
	}
	byID := make(map[string]*batchResponseItem, len(env.Responses))
	for i := range env.Responses {
		byID[strings.ToLower(env.Responses[i].ID)] = &env.Responses[i]
	}
	answers := make([]batchAnswer, len(reads))
	for i, r := range reads {
		item, ok := byID[strconv.Itoa(i+1)]
		if !ok {
			what := "user " + r.id
			if r.path != "" {
				what = r.path
			}
			answers[i] = batchAnswer{err: &Error{Operation: r.operation().name, Message: "Graph's batch response has no answer for " + what}}
			continue
		}
		answers[i] = c.batchItemAnswer(item, r)
	}
	return answers, nil
}

// operation is what the read does, for errors.
func (r *batchRead) operation() operation {
	if r.path != "" {
		return r.op
	}
	return opGetUser
}

func (c *client) batchItemAnswer(item *batchResponseItem, r *batchRead) batchAnswer {
	if r.path != "" {
		if item.Status >= 200 && item.Status < 300 {
			return batchAnswer{body: item.Body}
		}
		return batchAnswer{err: c.batchItemError(item, r.op)}
	}
	if item.Status >= 200 && item.Status < 300 {
		u, err := decodeUserJSON(item.Body)
		if err != nil {
			return batchAnswer{err: &Error{Operation: opGetUser.name, Message: "reading the user in Graph's batch response: " + err.Error(), cause: err}}
		}
		return batchAnswer{user: u}
	}
	return batchAnswer{err: c.batchItemError(item, opGetUser)}
}

// batchItemError turns a failed item into the same *Error a direct GET would
// have produced, Retry-After included, so callers retry and branch alike.
func (c *client) batchItemError(item *batchResponseItem, op operation) *Error {
	var env struct {
		Error struct {
			Code       string `json:"code"`
			Message    string `json:"message"`
			InnerError struct {
				RequestID string `json:"request-id"`
				Date      string `json:"date"`
			} `json:"innerError"`
		} `json:"error"`
	}
	_ = json.Unmarshal(item.Body, &env) // an unreadable body still leaves the status
	e := &Error{
		StatusCode: item.Status,
		Code:       env.Error.Code,
		Message:    env.Error.Message,
		RequestID:  env.Error.InnerError.RequestID,
		Date:       env.Error.InnerError.Date,
		Operation:  op.name,
	}
	h := abs.NewResponseHeaders()
	for k, v := range item.Headers {
		h.Add(k, v)
	}
	c.finish(e, op, h)
	return e
}
