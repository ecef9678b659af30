package demo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"inspraak/internal/idea"
	"inspraak/internal/identity"
	"inspraak/internal/moderation"
	"inspraak/internal/store"
)

// StaffModeratorSubject is the demo moderator's subject at the staff
// provider.
const StaffModeratorSubject = "demo-moderator"

// seedModeration gives the moderation queue something to show: a comment
// with an abusive word (public, queued), a comment hidden after three
// reports, an idea held back for a phone number, a rejected idea whose
// author asked for a second look, and some weeks of decisions for the
// dashboard. Like the rest of the demo it goes through the services with a
// clock that walks through the past.
func seedModeration(ctx context.Context, db *store.DB, svc *idea.Service, mod *moderation.Service, issuer string,
	actors []idea.Actor, green, play *idea.Board, ideaIDs, commentIDs []int64, setAt func(time.Time), ago func(days, hour int) time.Time) error {
	st, err := demoModerator(ctx, db, issuer, ago(60, 9))
	if err != nil {
		return err
	}
	as := func(a idea.Actor) moderation.Participant {
		return moderation.Participant{ID: a.ParticipantID, Subject: a.Subject}
	}
	decide := func(kind moderation.Kind, id int64, d moderation.Decision) error {
		var it moderation.Item
		if err := db.WithContext(ctx).Where("kind = ? AND target_id = ?", kind, id).Take(&it).Error; err != nil {
			return err
		}
		if err := mod.Claim(ctx, st, it.ID); err != nil {
			return err
		}
		return mod.Decide(ctx, st, it.ID, d)
	}
	playTheme := play.Themes[0].ID

	// Weeks of ordinary work on the playground board: ideas approved a day
	// or two after they came in.
	for n, p := range []struct {
		days, author int
		title, text  string
	}{
		{34, 3, "Een zandbak met water", "Een zandbak met een pomp en een gootje. Kinderen kunnen dan dammen bouwen en met water spelen."},
		{26, 5, "Meer bankjes voor ouders", "Ouders en grootouders zitten nu op de rand van de zandbak. Een paar bankjes in de schaduw zou fijn zijn."},
		{19, 8, "Een klimrek voor kleine kinderen", "Het klimrek is nu alleen voor grotere kinderen. Een laag klimrek voor peuters zou mooi zijn."},
		{12, 10, "Schaduw boven de zandbak", "In de zomer is het in de zandbak veel te heet. Een zeil of een boom kan schaduw geven."},
		{6, 12, "Een hek rond de speeltuin", "Kleine kinderen rennen nu zo de straat op. Een laag hek met een poortje geeft ouders rust."},
	} {
		setAt(ago(p.days, 10+n))
		i, err := svc.Submit(ctx, play.InstrumentID, actors[p.author], idea.Draft{Title: p.title, Description: p.text, ThemeID: &playTheme, Wijk: "De Brink"})
		if err != nil {
			return fmt.Errorf("demo: playground idea: %w", err)
		}
		setAt(ago(p.days-1-n%2, 9))
		if err := decide(moderation.KindIdea, i.ID, moderation.Decision{Action: moderation.ActApprove}); err != nil {
			return fmt.Errorf("demo: approve: %w", err)
		}
	}

	// Advertising on the playground board: rejected, and its author asks
	// for a second look, which waits for another moderator.
	setAt(ago(5, 15))
	spam, err := svc.Submit(ctx, play.InstrumentID, actors[20], idea.Draft{Title: "Speelgoed te koop",
		Description: "Wij verkopen tweedehands speelgoed voor een zacht prijsje. Kom gerust langs in onze winkel aan de Dorpsstraat.",
		ThemeID:     &playTheme})
	if err != nil {
		return fmt.Errorf("demo: spam idea: %w", err)
	}
	var spamReason int64
	var tpl moderation.Template
	if err := db.WithContext(ctx).Where("title = ?", "Reclame of spam").Take(&tpl).Error; err == nil {
		spamReason = tpl.ID
	}
	setAt(ago(4, 10))
	if err := decide(moderation.KindIdea, spam.ID, moderation.Decision{Action: moderation.ActReject, TemplateID: spamReason,
		Note: "Een winkel kunt u niet op het ideeënbord aanprijzen."}); err != nil {
		return fmt.Errorf("demo: reject: %w", err)
	}
	setAt(ago(3, 19))
	if err := mod.SecondLook(ctx, as(actors[20]), moderation.KindIdea, spam.ID,
		"Het is geen reclame: wij geven de opbrengst aan de speeltuinvereniging."); err != nil {
		return fmt.Errorf("demo: second look: %w", err)
	}

	// On the green board: a comment with an abusive word stays public but
	// waits for a moderator.
	setAt(ago(2, 21))
	if _, err := svc.Comment(ctx, ideaIDs[1], nil, actors[5], "Wat een kutplan, daar komen alleen maar meer muggen van."); err != nil {
		return fmt.Errorf("demo: screened comment: %w", err)
	}
	// A rude comment, reported by three neighbours, goes offline.
	setAt(ago(1, 22))
	rude, err := svc.Comment(ctx, ideaIDs[9], &commentIDs[9], actors[11], "Wat een onzin allemaal. Jullie snappen er helemaal niks van.")
	if err != nil {
		return fmt.Errorf("demo: rude comment: %w", err)
	}
	for k, r := range []struct {
		who    int
		reason string
	}{{4, moderation.ReasonOffensive}, {17, moderation.ReasonOffensive}, {8, moderation.ReasonOffTopic}} {
		setAt(ago(1, 23).Add(time.Duration(k*20) * time.Minute))
		if err := mod.Report(ctx, as(actors[r.who]), moderation.KindComment, rude.ID, r.reason, ""); err != nil {
			return fmt.Errorf("demo: report: %w", err)
		}
	}
	// An idea with a phone number in it waits before anyone sees it.
	setAt(ago(1, 23).Add(50 * time.Minute)) // late last night: never in the future, whatever the hour now
	theme := green.Themes[0].ID
	if _, err := svc.Submit(ctx, green.InstrumentID, actors[6], idea.Draft{Title: "Buurtbarbecue in het park",
		Description: "Na het planten van de nieuwe bomen wil ik een barbecue voor de buurt houden. Wie wil helpen, kan mij bellen op 06-12345678.",
		ThemeID:     &theme, Wijk: "Centrum"}); err != nil {
		return fmt.Errorf("demo: screened idea: %w", err)
	}
	return nil
}

// demoModerator returns the demo moderator's staff id, adding the row when
// it is not there yet.
func demoModerator(ctx context.Context, db *store.DB, issuer string, since time.Time) (moderation.Staff, error) {
	var m identity.StaffMember
	err := db.WithContext(ctx).Where("issuer = ? AND subject = ?", issuer, StaffModeratorSubject).Take(&m).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		m = identity.StaffMember{Issuer: issuer, Subject: StaffModeratorSubject, Name: "Moderatie (demo)",
			Roles: string(identity.RoleModerator), CreatedAt: since, LastLoginAt: since}
		err = db.WithContext(ctx).Create(&m).Error
	}
	return moderation.Staff{ID: m.ID, Name: m.Name, Roles: m.RoleList()}, err
}
