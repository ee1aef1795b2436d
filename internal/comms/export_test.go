package comms

import "context"

// WriteTogether writes requests as one group, as concurrent small API
// requests are (coalesce.go), and returns each request's answer.
func WriteTogether(s *Service, ctxs []context.Context, reqs [][]Input) ([][]Result, []error) {
	ps := make([]*pendingIngest, len(reqs))
	for i := range reqs {
		ps[i] = &pendingIngest{ctx: ctxs[i], ins: reqs[i]}
	}
	s.writeTogether(ps, SourceAPI)
	res, errs := make([][]Result, len(ps)), make([]error, len(ps))
	for i, p := range ps {
		res[i], errs[i] = p.res, p.err
	}
	return res, errs
}
