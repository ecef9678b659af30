package consultation

import (
	"net/url"
	"testing"
)

func formQuestions() []Question {
	return []Question{
		{ID: 1, Kind: ShortText}, {ID: 2, Kind: Number}, {ID: 3, Kind: Scale, ScaleMin: 1, ScaleMax: 5},
		{ID: 4, Kind: Multiple, Options: []QuestionOption{{ID: 41}, {ID: 42}, {ID: 43}}},
		{ID: 5, Kind: Ranking, Options: []QuestionOption{{ID: 51}, {ID: 52}, {ID: 53}}},
		{ID: 6, Kind: Explanation},
	}
}

func TestFromValuesReadsEveryKind(t *testing.T) {
	t.Parallel() // each test has its own database
	v := url.Values{"q1": {"  Hallo\r\nwereld "}, "q2": {"3,5"}, "q3": {"4"}, "q4": {"41", "43"},
		"q5_51": {"3"}, "q5_52": {"1"}, "q5_53": {"2"}, "q6": {"genegeerd"}}
	a, errs := FromValues(formQuestions(), v)
	if len(errs) != 0 {
		t.Fatalf("errors: %v", errs)
	}
	if a[1].Text != "Hallo\nwereld" || *a[2].Number != 3.5 || *a[3].Number != 4 || len(a[4].Options) != 2 {
		t.Fatalf("answers: %+v", a)
	}
	if r := a[5].Options; len(r) != 3 || r[0] != 52 || r[1] != 53 || r[2] != 51 {
		t.Fatalf("ranking: %v", r)
	}
	if _, ok := a[6]; ok {
		t.Fatal("an explanation got an answer")
	}
}

func TestFromValuesReportsUnreadableInput(t *testing.T) {
	t.Parallel() // each test has its own database
	v := url.Values{"q2": {"drie"}, "q3": {"veel"}, "q4": {"x"}, "q5_51": {"1"}, "q5_52": {"1"}, "q5_53": {"9"}}
	_, errs := FromValues(formQuestions(), v)
	for _, f := range []string{"q-2", "q-3", "q-4", "q-5"} {
		if errs[f] == "" {
			t.Errorf("%s: no error in %v", f, errs)
		}
	}
}

// Whatever is posted, reading and validating it never panics, and what
// passes validation only names this consultation's options.
func FuzzFromValues(f *testing.F) {
	f.Add("q1=a&q2=1&q3=2&q4=41&q5_51=1")
	f.Add("q2=1e400&q3=-0&q4=99&q5_51=0")
	f.Add("q5_51=2&q5_52=2&q5_53=1&q2=NaN")
	f.Fuzz(func(t *testing.T, body string) {
		v, err := url.ParseQuery(body)
		if err != nil {
			return
		}
		qs := formQuestions()
		answers, _ := FromValues(qs, v)
		c := &Consultation{Questions: qs}
		if errs := Validate(c, answers, false); len(errs) == 0 {
			for qid, a := range answers {
				for _, o := range a.Options {
					found := false
					for _, q := range qs {
						for _, qo := range q.Options {
							if q.ID == qid && qo.ID == o {
								found = true
							}
						}
					}
					if !found {
						t.Fatalf("option %d accepted for question %d", o, qid)
					}
				}
			}
		}
	})
}
