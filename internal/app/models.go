package app

import (
	"inspraak/internal/audit"
	"inspraak/internal/budget"
	"inspraak/internal/consultation"
	"inspraak/internal/idea"
	"inspraak/internal/identity"
	"inspraak/internal/instrument"
	"inspraak/internal/media"
	"inspraak/internal/moderation"
	"inspraak/internal/notify"
	"inspraak/internal/participation"
	"inspraak/internal/poll"
	"inspraak/internal/project"
	"inspraak/internal/ratelimit"
	"inspraak/internal/responsenote"
	"inspraak/internal/results"
	"inspraak/internal/setting"
)

// Models lists every gorm row struct of every domain. The schema test
// checks the migrations against exactly this list, so a new domain table
// must be added here.
func Models() []any {
	var ms []any
	ms = append(ms, setting.Models()...)
	ms = append(ms, project.Models()...)
	ms = append(ms, identity.Models()...)
	ms = append(ms, audit.Models()...)
	ms = append(ms, instrument.Models()...)
	ms = append(ms, participation.Models()...)
	ms = append(ms, poll.Models()...)
	ms = append(ms, consultation.Models()...)
	ms = append(ms, media.Models()...)
	ms = append(ms, idea.Models()...)
	ms = append(ms, notify.Models()...)
	ms = append(ms, moderation.Models()...)
	ms = append(ms, results.Models()...)
	ms = append(ms, responsenote.Models()...)
	ms = append(ms, ratelimit.Models()...)
	ms = append(ms, budget.Models()...)
	return ms
}
