package consultation

import (
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// FieldName is the form field of a question ("q12"); a ranking question
// has one field per option ("q12_34") holding that option's place.
func FieldName(questionID int64) string { return "q" + strconv.FormatInt(questionID, 10) }

// RankField is the form field for one option of a ranking question.
func RankField(questionID, optionID int64) string {
	return FieldName(questionID) + "_" + strconv.FormatInt(optionID, 10)
}

// FromValues reads the answers to the given questions from a posted form.
// Input that cannot even be read (a word where a number belongs, a rank
// given twice) is reported per question with a message key; the answers
// that could be read are returned for Validate.
func FromValues(questions []Question, v url.Values) (map[int64]Answer, map[string]string) {
	answers := map[int64]Answer{}
	errs := map[string]string{}
	for _, q := range questions {
		name := FieldName(q.ID)
		field := "q-" + strconv.FormatInt(q.ID, 10)
		switch q.Kind {
		case Explanation:
			continue
		case ShortText, LongText:
			t := strings.ReplaceAll(strings.TrimSpace(v.Get(name)), "\r\n", "\n")
			if t != "" {
				answers[q.ID] = Answer{Text: t}
			}
		case Number, Scale:
			raw := strings.TrimSpace(v.Get(name))
			if raw == "" {
				continue
			}
			n, err := strconv.ParseFloat(strings.Replace(raw, ",", ".", 1), 64)
			if err != nil {
				errs[field] = "consultation.error.number"
				if q.Kind == Scale {
					errs[field] = "consultation.error.scale_value"
				}
				continue
			}
			answers[q.ID] = Answer{Number: &n}
		case Single, Multiple:
			var ids []int64
			for _, s := range v[name] {
				id, err := strconv.ParseInt(s, 10, 64)
				if err != nil {
					errs[field] = "consultation.error.unknown_option"
					break
				}
				ids = append(ids, id)
			}
			if len(ids) > 0 {
				answers[q.ID] = Answer{Options: ids}
			}
		case Ranking:
			type placed struct {
				option int64
				rank   int
			}
			var ps []placed
			for _, o := range q.Options {
				raw := strings.TrimSpace(v.Get(RankField(q.ID, o.ID)))
				if raw == "" {
					continue
				}
				r, err := strconv.Atoi(raw)
				if err != nil || r < 1 || r > len(q.Options) {
					errs[field] = "consultation.error.ranking"
					break
				}
				ps = append(ps, placed{o.ID, r})
			}
			if len(ps) == 0 || errs[field] != "" {
				continue
			}
			sort.SliceStable(ps, func(i, j int) bool { return ps[i].rank < ps[j].rank })
			a := Answer{}
			for i, p := range ps {
				if i > 0 && ps[i-1].rank == p.rank {
					errs[field] = "consultation.error.ranking"
				}
				a.Options = append(a.Options, p.option)
			}
			if errs[field] == "" {
				answers[q.ID] = a
			}
		}
	}
	return answers, errs
}
