package app

import (
	"context"
	"time"

	"kefu/internal/comms"
	"kefu/internal/customers"
	"kefu/internal/surveys"
	"kefu/internal/tickets"
)

// The satisfaction surveys (满意度调查) need three other domains; each
// adapter below is the small interface the consumer declared, backed by
// the service that owns the data.

// surveyCustomers gives a plan the active customers in its scope with
// their owning specialist, read as the caller (a manager issuing the plan).
type surveyCustomers struct{ c *customers.Service }

func (a surveyCustomers) SurveyCustomers(ctx context.Context, sc surveys.Scope) ([]surveys.Customer, error) {
	f := customers.ListFilter{Class: sc.Class, RegionID: sc.RegionID, OwnerID: sc.OwnerID, Status: "active", Limit: 200}
	var out []surveys.Customer
	for {
		page, err := a.c.ListCustomers(ctx, f)
		if err != nil {
			return nil, err
		}
		for _, c := range page.Items {
			owner := ""
			if c.OwnerID != nil {
				owner = *c.OwnerID
			}
			out = append(out, surveys.Customer{ID: c.ID, OwnerID: owner, RegionID: c.RegionID, Class: c.Class})
		}
		if page.Next == "" {
			return out, nil
		}
		f.After = page.Next
	}
}

// surveyComms stores a response's communication record through the comms
// service's public API, as the caller, tagged satisfaction.
type surveyComms struct{ c *comms.Service }

// surveyChannels maps a survey method to the channel of its record.
var surveyChannels = map[string]string{surveys.MethodPhone: "phone_out", surveys.MethodWeChat: "wechat_private",
	surveys.MethodVisit: "visit", surveys.MethodQuestionnaire: "other"}

func (a surveyComms) RecordSurveyContact(ctx context.Context, c surveys.Contact) (string, error) {
	r, err := a.c.Add(ctx, comms.Input{Channel: surveyChannels[c.Channel], Direction: "out", OccurredAt: c.At.Format(time.RFC3339),
		CustomerID: c.CustomerID, Summary: c.Summary, Tags: []string{"satisfaction"}})
	if err != nil {
		return "", err
	}
	return r.ID, nil
}

// surveyScores feeds the survey responses' overall scores to the monthly
// 客户满意度汇总表 of the tickets domain.
type surveyScores struct{ s *surveys.Service }

func (a surveyScores) SurveySatisfaction(ctx context.Context, from, to time.Time) ([]tickets.SatisfactionFact, error) {
	fs, err := a.s.ScoreFacts(ctx, from, to)
	if err != nil {
		return nil, err
	}
	out := make([]tickets.SatisfactionFact, len(fs))
	for i, f := range fs {
		out[i] = tickets.SatisfactionFact{StaffID: f.StaffID, StaffName: f.StaffName, Region: f.Region, Class: f.Class, Score: f.Score}
	}
	return out, nil
}
