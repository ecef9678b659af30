package benchdata

import "inspraak/internal/consultation"

// Questionnaire is the ten-question questionnaire the export benchmark
// fills and the submit benchmark answers: three single choices, two
// multiple choices, two scales, a number, a ranking and an open question.
func Questionnaire() []consultation.QuestionDraft {
	q := func(k consultation.Kind, text string, opts ...string) consultation.QuestionDraft {
		return consultation.QuestionDraft{Question: consultation.Question{Kind: k, Text: text}, Options: opts}
	}
	multi := q(consultation.Multiple, "Wat mist u in de wijk?", "Bomen", "Bankjes", "Speelplekken", "Fietsenrekken", "Verlichting")
	multi.MaxChoices = 3
	multi2 := q(consultation.Multiple, "Hoe komt u er?", "Lopend", "Fiets", "Auto", "Bus")
	multi2.MaxChoices = 4
	scale := q(consultation.Scale, "Hoe tevreden bent u over de wijk?")
	scale.ScaleMin, scale.ScaleMax, scale.ScaleMinLabel, scale.ScaleMaxLabel = 1, 5, "Heel ontevreden", "Heel tevreden"
	scale2 := q(consultation.Scale, "Hoe veilig voelt u zich?")
	scale2.ScaleMin, scale2.ScaleMax, scale2.ScaleMinLabel, scale2.ScaleMaxLabel = 1, 10, "Onveilig", "Veilig"
	long := q(consultation.LongText, "Wat wilt u de gemeente nog meegeven?")
	long.MaxLength = 2000
	return []consultation.QuestionDraft{
		q(consultation.Single, "Woont u in de wijk?", "Ja", "Nee"),
		q(consultation.Single, "Hoe oud bent u?", "Jonger dan 18", "18 tot 35", "35 tot 65", "65 of ouder"),
		q(consultation.Single, "Heeft u kinderen?", "Ja", "Nee", "Zeg ik liever niet"),
		multi, multi2, scale, scale2,
		q(consultation.Number, "Hoeveel jaar woont u hier?"),
		q(consultation.Ranking, "Wat moet eerst?", "Groen", "Parkeren", "Spelen", "Verkeer"),
		long,
	}
}
