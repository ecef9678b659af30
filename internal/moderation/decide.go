package moderation

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"inspraak/internal/apperror"
	"inspraak/internal/moderation/screen"
	"inspraak/internal/store"
)

// Decision is what a moderator decides on an item.
type Decision struct {
	Action     string // ActApprove, ActReject, ActHide or ActRestore
	TemplateID int64  // a reason template (reject and hide)
	Note       string // the moderator's own words for the author
	// NotPersonalData is the moderator's explicit statement that what
	// screening marked as personal data (a BSN, phone number, e-mail
	// address or IBAN) is not: needed to approve or restore while such
	// hits remain, and written to the audit log.
	NotPersonalData bool
}

// Decisions lists the actions Decide takes.
var Decisions = []string{ActApprove, ActReject, ActHide, ActRestore}

// Decide carries out a decision. On a waiting item the moderator must hold
// the claim; hide and restore also work on an item that was decided
// before. The contribution, the item, its history and the audit log change
// in one transaction, and the author is told.
//
// Personal data is never one default click from publication: approving or
// restoring a contribution in which screening still finds personal data
// is refused unless the fragments were redacted first or the moderator
// states that they are not personal data (d.NotPersonalData), which the
// audit entry of the decision records.
func (s *Service) Decide(ctx context.Context, st Staff, itemID int64, d Decision) error {
	if err := st.may(); err != nil {
		return err
	}
	d.Note = clean(d.Note)
	if utf8.RuneCountInString(d.Note) > MaxReason || strings.ContainsRune(d.Note, 0) {
		return apperror.Invalid.WithFields(map[string]string{"toelichting": "moderation.error.too_long"})
	}
	var newState string
	switch d.Action {
	case ActApprove, ActRestore:
		newState = Approved
	case ActReject:
		newState = Rejected
	case ActHide:
		newState = Hidden
	default:
		return apperror.Invalid.WithFields(map[string]string{"besluit": "moderation.error.decision"})
	}
	return s.db.WithTx(ctx, func(tx *gorm.DB) error {
		it, err := s.lockItem(tx, itemID)
		if err != nil {
			return err
		}
		t, err := s.target(it.Kind)
		if err != nil {
			return err
		}
		cs, err := t.Contents(ctx, tx, []int64{it.TargetID})
		if err != nil {
			return err
		}
		c := cs[it.TargetID]
		if c == nil {
			return apperror.New(apperror.NotFound, "")
		}
		now := s.now()
		if err := s.mayAct(it, st, now); err != nil {
			return err
		}
		switch d.Action {
		case ActApprove, ActReject:
			if !it.Waiting {
				return apperror.New(apperror.Conflict, "moderation.error.not_waiting")
			}
		case ActHide:
			if !it.Waiting && c.State != Approved {
				return apperror.New(apperror.Conflict, "moderation.error.not_public")
			}
		case ActRestore:
			if c.State != Rejected && c.State != Hidden {
				return apperror.New(apperror.Conflict, "moderation.error.not_hidden")
			}
		}
		var unresolved []string
		if newState == Approved {
			unresolved = personalDataKinds(s.screener(ctx).Screen(c.Fields...))
			if len(unresolved) > 0 && !d.NotPersonalData {
				return apperror.Invalid.WithFields(map[string]string{"geen_persoonsgegevens": "moderation.error.personal_data_unresolved"})
			}
		}
		reason := ""
		var tid *int64
		if d.Action == ActReject || d.Action == ActHide {
			if d.TemplateID > 0 {
				var tpl Template
				if err := tx.Where("id = ? AND active", d.TemplateID).Take(&tpl).Error; err != nil {
					if errors.Is(err, gorm.ErrRecordNotFound) {
						return apperror.Invalid.WithFields(map[string]string{"sjabloon": "moderation.error.template_unknown"})
					}
					return err
				}
				reason = tpl.Body
				tid = &tpl.ID
			}
			if d.Note != "" {
				reason = strings.TrimSpace(reason + "\n\n" + d.Note)
			}
			if reason == "" {
				return apperror.Invalid.WithFields(map[string]string{"sjabloon": "moderation.error.reason_required"})
			}
		}
		prev, err := t.SetState(ctx, tx, it.TargetID, newState)
		if err != nil {
			return err
		}
		var waited *int64
		if it.Waiting && it.QueuedAt != nil {
			w := int64(now.Sub(*it.QueuedAt) / time.Second)
			waited = &w
		}
		sid := st.ID
		if err := tx.Model(&Item{}).Where("id = ?", it.ID).Updates(map[string]any{
			"waiting": false, "pre": false, "screened": false, "reported": false, "second_look": false,
			"open_reports": 0, "claimed_by": nil, "claimed_until": nil, "not_by": nil,
			"decision": d.Action, "decided_by": sid, "decided_at": now, "reason": reason, "updated_at": now,
		}).Error; err != nil {
			return err
		}
		if err := s.event(tx, it.ID, d.Action, &sid, tid, d.Note, waited); err != nil {
			return err
		}
		detail := map[string]any{"from": prev, "to": newState}
		if tid != nil {
			detail["template"] = *tid
		}
		if d.Note != "" {
			detail["note"] = d.Note
		}
		if len(unresolved) > 0 {
			// What was confirmed, by kind: never the fragments themselves.
			detail["confirmed_not_personal_data"] = unresolved
		}
		if err := s.record(tx, st, "moderation."+d.Action, string(it.Kind)+":"+itoa(it.TargetID), detail); err != nil {
			return err
		}
		if c.AuthorID == nil || c.Gone {
			return nil
		}
		key := ""
		switch {
		case d.Action == ActReject:
			key = "notify.moderation.rejected"
		case d.Action == ActHide:
			key = "notify.moderation.hidden"
		case prev == Rejected || prev == Hidden:
			key = "notify.moderation.restored"
		case prev == Awaiting:
			key = "notify.moderation.approved"
		}
		if key == "" {
			return nil
		}
		return s.notify(ctx, tx, *c.AuthorID, Notice{Key: key + "." + string(it.Kind), Params: []string{short(c.Heading)}, Link: c.Link})
	})
}

// personalDataKinds lists the kinds of personal data among hits, each
// once, in a fixed order.
func personalDataKinds(hits []screen.Hit) []string {
	var out []string
	for _, k := range []screen.Kind{screen.BSN, screen.Phone, screen.Email, screen.IBAN} {
		for _, h := range hits {
			if h.Kind == k {
				out = append(out, string(k))
				break
			}
		}
	}
	return out
}

// mayAct checks that a moderator may act on an item now: a waiting item
// needs their own live claim, and a second look is for another moderator.
func (s *Service) mayAct(it *Item, st Staff, now time.Time) error {
	if it.NotBy != nil && *it.NotBy == st.ID && it.Waiting {
		return apperror.New(apperror.Forbidden, "moderation.error.second_look_other")
	}
	if it.Waiting && !it.ClaimedBySelf(st.ID, now) {
		if it.ClaimedByOther(st.ID, now) {
			return apperror.New(apperror.Conflict, "moderation.error.claimed")
		}
		return apperror.New(apperror.Conflict, "moderation.error.claim_needed")
	}
	return nil
}

// Redact edits a fragment (such as a phone number) out of a field of the
// contribution: every occurrence becomes Redacted. The item's history
// records that it happened, in which field and how often, never the
// fragment itself; the author is told, once for redactions in a row.
func (s *Service) Redact(ctx context.Context, st Staff, itemID int64, field, fragment string) error {
	if err := st.may(); err != nil {
		return err
	}
	fragment = strings.TrimSpace(fragment)
	switch {
	case fragment == "" || strings.ContainsRune(fragment, 0):
		return apperror.Invalid.WithFields(map[string]string{"fragment": "moderation.error.fragment_required"})
	case utf8.RuneCountInString(fragment) > MaxFragment:
		return apperror.Invalid.WithFields(map[string]string{"fragment": "moderation.error.too_long"})
	case fragment == Redacted:
		return apperror.Invalid.WithFields(map[string]string{"fragment": "moderation.error.fragment_not_found"})
	}
	return s.db.WithTx(ctx, func(tx *gorm.DB) error {
		it, err := s.lockItem(tx, itemID)
		if err != nil {
			return err
		}
		if err := s.mayAct(it, st, s.now()); err != nil {
			return err
		}
		t, err := s.target(it.Kind)
		if err != nil {
			return err
		}
		n, err := t.Redact(ctx, tx, it.TargetID, field, fragment)
		if err != nil {
			return err
		}
		if n == 0 {
			return apperror.Invalid.WithFields(map[string]string{"fragment": "moderation.error.fragment_not_found"})
		}
		cs, err := t.Contents(ctx, tx, []int64{it.TargetID})
		if err != nil {
			return err
		}
		c := cs[it.TargetID]
		if c == nil {
			return apperror.New(apperror.NotFound, "")
		}
		hits := ""
		if hs := s.screener(ctx).Screen(c.Fields...); len(hs) > 0 {
			b, err := json.Marshal(hs)
			if err != nil {
				return err
			}
			hits = string(b)
		}
		if err := tx.Model(&Item{}).Where("id = ?", it.ID).Updates(map[string]any{"hits": hits, "updated_at": s.now()}).Error; err != nil {
			return err
		}
		sid := st.ID
		if err := s.event(tx, it.ID, ActRedact, &sid, nil, field, nil); err != nil {
			return err
		}
		if err := s.record(tx, st, "moderation.redact", string(it.Kind)+":"+itoa(it.TargetID),
			map[string]any{"field": field, "occurrences": n}); err != nil {
			return err
		}
		if c.AuthorID == nil || c.Gone {
			return nil
		}
		// Edited twice in a row (two phone numbers), the author hears it
		// once: the notice says what happened, not how often.
		return s.notify(ctx, tx, *c.AuthorID, Notice{Key: "notify.moderation.redacted." + string(it.Kind),
			Params: []string{short(c.Heading)}, Link: c.Link, NoRepeat: true})
	})
}

// SecondLook lets the author of a rejected or hidden contribution ask,
// once, for another moderator to look at it.
func (s *Service) SecondLook(ctx context.Context, p Participant, kind Kind, id int64, note string) error {
	note = clean(note)
	if utf8.RuneCountInString(note) > MaxNote || strings.ContainsRune(note, 0) {
		return apperror.Invalid.WithFields(map[string]string{"toelichting": "moderation.error.too_long"})
	}
	t, err := s.target(kind)
	if err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *gorm.DB) error {
		cs, err := t.Contents(ctx, tx, []int64{id})
		if err != nil {
			return err
		}
		c := cs[id]
		if c == nil || c.AuthorID == nil || *c.AuthorID != p.ID {
			return apperror.New(apperror.NotFound, "")
		}
		it, err := s.itemFor(tx, Ref{Kind: kind, ID: id})
		if err != nil {
			return err
		}
		switch {
		case it.ID == 0 || (c.State != Rejected && c.State != Hidden) || c.Gone:
			return apperror.New(apperror.Conflict, "moderation.error.nothing_to_review")
		case it.Waiting:
			return apperror.New(apperror.Conflict, "moderation.error.second_look_pending")
		case it.SecondLookUsed:
			return apperror.New(apperror.Conflict, "moderation.error.second_look_used")
		}
		now := s.now()
		if err := tx.Model(&Item{}).Where("id = ?", it.ID).Updates(map[string]any{
			"waiting": true, "second_look": true, "second_look_used": true, "queued_at": now, "not_by": it.DecidedBy,
			"pre": false, "screened": false, "reported": false, "claimed_by": nil, "claimed_until": nil, "updated_at": now,
		}).Error; err != nil {
			return err
		}
		return s.event(tx, it.ID, ActSecondLook, nil, nil, note, nil)
	})
}

// Verdict is what the author of a contribution sees of its moderation.
type Verdict struct {
	Decision          string
	Reason            string
	Waiting           bool
	SecondLookPending bool
	CanAskSecondLook  bool
}

// Verdicts returns, for contributions of one kind, what their authors see
// of moderation. Contributions that never met a moderator are left out.
func (s *Service) Verdicts(ctx context.Context, kind Kind, ids []int64) (map[int64]Verdict, error) {
	out := map[int64]Verdict{}
	if len(ids) == 0 {
		return out, nil
	}
	var items []Item
	if err := s.db.WithContext(ctx).Where("kind = ? AND target_id IN ?", kind, ids).Find(&items).Error; err != nil {
		return nil, err
	}
	for _, it := range items {
		rejected := it.Decision == ActReject || it.Decision == ActHide
		out[it.TargetID] = Verdict{Decision: it.Decision, Reason: it.Reason, Waiting: it.Waiting,
			SecondLookPending: it.Waiting && it.SecondLook,
			CanAskSecondLook:  rejected && !it.Waiting && !it.SecondLookUsed}
	}
	return out, nil
}

// Detail is everything the item page shows.
type Detail struct {
	Row
	Hits          []screen.Hit
	ReportList    []Report
	History       []Event
	AuthorBlock   *Block
	AuthorEarlier int64 // earlier rejections and hides of the same author
}

// Detail loads one item with its reports and history.
func (s *Service) Detail(ctx context.Context, itemID int64) (*Detail, error) {
	db := s.db.WithContext(ctx)
	var it Item
	if err := db.Where("id = ?", itemID).Take(&it).Error; err != nil {
		return nil, store.MapError(err)
	}
	rows, err := s.rows(ctx, db, []Item{it})
	if err != nil {
		return nil, err
	}
	d := &Detail{Row: rows[0]}
	if it.Hits != "" {
		_ = json.Unmarshal([]byte(it.Hits), &d.Hits)
	}
	if err := db.Where("item_id = ?", it.ID).Order("created_at, id").Find(&d.ReportList).Error; err != nil {
		return nil, err
	}
	if err := db.Where("item_id = ?", it.ID).Order("created_at, id").Find(&d.History).Error; err != nil {
		return nil, err
	}
	names := map[int64]string{}
	for _, e := range d.History {
		if e.StaffID != nil {
			names[*e.StaffID] = ""
		}
	}
	if err := s.staffNames(db, names); err != nil {
		return nil, err
	}
	for i, e := range d.History {
		if e.StaffID != nil {
			d.History[i].StaffName = names[*e.StaffID]
		}
	}
	if it.AuthorID != nil {
		if d.AuthorBlock, err = s.Blocked(ctx, nil, *it.AuthorID); err != nil {
			return nil, err
		}
		if err := db.Model(&Item{}).Where("author_id = ? AND id <> ? AND decision IN ?", *it.AuthorID, it.ID,
			[]string{ActReject, ActHide}).Count(&d.AuthorEarlier).Error; err != nil {
			return nil, err
		}
	}
	return d, nil
}

// short cuts a heading for a one-line notice.
func short(s string) string {
	if utf8.RuneCountInString(s) <= 80 {
		return s
	}
	r := []rune(s)
	return string(r[:79]) + "…"
}
