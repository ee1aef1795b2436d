package web

import (
	"net/http"

	"kefu/internal/access"
	"kefu/internal/httpx"
)

// Routes is the web surface's one route table: every page and form post
// with the permission it needs. A test walks it and fails on a route
// without a permission, and checks each is refused to roles without it.
func (s *Server) Routes() []httpx.Route {
	return []httpx.Route{
		{Pattern: "GET /login", Perm: access.Public, Handle: s.loginForm},
		{Pattern: "POST /login", Perm: access.Public, Handle: s.login},
		{Pattern: "POST /logout", Perm: access.Authenticated, Handle: s.logout},
		{Pattern: "POST /lang", Perm: access.Public, Handle: s.setLang},
		{Pattern: "GET /{$}", Perm: access.Authenticated, Handle: s.home},
		{Pattern: "GET /account/password", Perm: access.Authenticated, Handle: s.passwordForm},
		{Pattern: "POST /account/password", Perm: access.Authenticated, Handle: s.changePassword},

		{Pattern: "GET /customers", Perm: access.CustomerRead, Handle: s.customerList},
		{Pattern: "GET /customers/export", Perm: access.CustomerRead, Handle: s.customerExport},
		{Pattern: "GET /customers/new", Perm: access.CustomerWrite, Handle: s.customerNew},
		{Pattern: "POST /customers", Perm: access.CustomerWrite, Handle: s.customerCreate},
		{Pattern: "GET /customers/{id}", Perm: access.CustomerRead, Handle: s.customerPage},
		{Pattern: "GET /customers/{id}/edit", Perm: access.CustomerWrite, Handle: s.customerEdit},
		{Pattern: "POST /customers/{id}", Perm: access.CustomerWrite, Handle: s.customerUpdate},
		{Pattern: "POST /customers/{id}/contacts", Perm: access.CustomerWrite, Handle: s.contactCreate},
		{Pattern: "GET /contacts/{id}/edit", Perm: access.CustomerWrite, Handle: s.contactEdit},
		{Pattern: "POST /contacts/{id}", Perm: access.CustomerWrite, Handle: s.contactUpdate},
		{Pattern: "POST /customers/{id}/equipment", Perm: access.CustomerWrite, Handle: s.equipmentCreate},
		{Pattern: "POST /equipment/{id}", Perm: access.CustomerWrite, Handle: s.equipmentUpdate},
		{Pattern: "POST /customers/{id}/groups", Perm: access.CustomerWrite, Handle: s.groupSave},
		{Pattern: "POST /groups/{id}/members", Perm: access.CustomerWrite, Handle: s.memberAdd},
		{Pattern: "POST /members/{id}/remove", Perm: access.CustomerWrite, Handle: s.memberRemove},
		{Pattern: "POST /customers/{id}/files", Perm: access.CustomerWrite, Handle: s.fileUpload},
		{Pattern: "GET /files/{id}", Perm: access.CustomerRead, Handle: s.fileDownload},
		{Pattern: "GET /archive/late", Perm: access.CustomerRead, Handle: s.lateChanges},
		{Pattern: "GET /archive/members", Perm: access.CustomerRead, Handle: s.membersToRemove},

		// 待响应: the live queue of response clocks, open tickets and callbacks.
		{Pattern: "GET /queue", Perm: access.CommRead, Handle: s.queuePage},
		// 已回复/已回拨: a row's quick-log of the staff reply.
		{Pattern: "POST /queue/reply", Perm: access.CommWrite, Handle: s.queueReply},

		// 沟通记录: communication records, the quick-log and matching.
		{Pattern: "GET /communications", Perm: access.CommRead, Handle: s.commList},
		{Pattern: "GET /communications/export", Perm: access.CommRead, Handle: s.commsExport},
		{Pattern: "POST /communications", Perm: access.CommWrite, Handle: s.commCreate},
		{Pattern: "POST /customers/{id}/communications", Perm: access.CommWrite, Handle: s.customerCommCreate},
		{Pattern: "GET /communications/{id}/match", Perm: access.CommWrite, Handle: s.commMatchForm},
		{Pattern: "POST /communications/{id}/match", Perm: access.CommWrite, Handle: s.commMatch},
		{Pattern: "POST /communications/{id}/files", Perm: access.CommWrite, Handle: s.commFileUpload},
		{Pattern: "GET /communication-files/{id}", Perm: access.CommRead, Handle: s.commFileDownload},
		// 相关事项未登记: a manager flags a record's request as never registered.
		{Pattern: "POST /communications/{id}/unregistered", Perm: access.DeskManage, Handle: s.commFlag},
		{Pattern: "POST /communications/{id}/unregistered/delete", Perm: access.DeskManage, Handle: s.commUnflag},
		// 导入话单/聊天记录: PBX call logs and WeChat chat exports.
		{Pattern: "GET /communications/import", Perm: access.CommIngest, Handle: s.commImportForm},
		{Pattern: "POST /communications/import", Perm: access.CommIngest, Handle: s.commImportRun},
		{Pattern: "GET /communications/import/template/{kind}", Perm: access.CommIngest, Handle: s.commImportTemplate},

		// 工单: tickets, their lifecycle, complaints (三不放过) and callbacks.
		{Pattern: "GET /tickets", Perm: access.CommRead, Handle: s.ticketList},
		{Pattern: "GET /tickets/export", Perm: access.CommRead, Handle: s.ticketsExport},
		{Pattern: "GET /tickets/new", Perm: access.CommWrite, Handle: s.ticketNew},
		{Pattern: "POST /tickets", Perm: access.CommWrite, Handle: s.ticketCreate},
		{Pattern: "GET /tickets/{id}", Perm: access.CommRead, Handle: s.ticketPage},
		{Pattern: "GET /tickets/{id}/edit", Perm: access.CommWrite, Handle: s.ticketEdit},
		{Pattern: "POST /tickets/{id}", Perm: access.CommWrite, Handle: s.ticketUpdate},
		{Pattern: "POST /tickets/{id}/transitions", Perm: access.CommWrite, Handle: s.ticketTransition},
		{Pattern: "POST /tickets/{id}/reopen", Perm: access.CommWrite, Handle: s.ticketReopen},
		{Pattern: "POST /tickets/{id}/pause", Perm: access.CommWrite, Handle: s.ticketPause},
		{Pattern: "POST /tickets/{id}/resume", Perm: access.CommWrite, Handle: s.ticketResume},
		{Pattern: "POST /tickets/{id}/escalations", Perm: access.CommWrite, Handle: s.ticketEscalate},
		{Pattern: "POST /tickets/{id}/communications", Perm: access.CommWrite, Handle: s.ticketLink},
		{Pattern: "POST /tickets/{id}/communications/{comm}/unlink", Perm: access.CommWrite, Handle: s.ticketUnlink},
		{Pattern: "POST /tickets/{id}/complaint", Perm: access.CommWrite, Handle: s.ticketComplaint},
		{Pattern: "POST /tickets/{id}/complaint/reply", Perm: access.DeskManage, Handle: s.ticketReply},
		{Pattern: "GET /tickets/{id}/capa", Perm: access.CommRead, Handle: s.ticketCAPA},
		// 回访: callbacks and the callback rate of a month.
		{Pattern: "GET /callbacks", Perm: access.CommRead, Handle: s.callbackList},
		{Pattern: "POST /callbacks/{id}", Perm: access.CommWrite, Handle: s.callbackRecord},
		// 满意度调查: the manager's survey plans, the specialists' survey tasks
		// and their responses (ownership checked by the surveys domain).
		{Pattern: "GET /surveys", Perm: access.CommRead, Handle: s.surveyList},
		{Pattern: "GET /surveys/new", Perm: access.DeskManage, Handle: s.surveyNew},
		{Pattern: "POST /surveys", Perm: access.DeskManage, Handle: s.surveyCreate},
		{Pattern: "GET /surveys/{id}", Perm: access.CommRead, Handle: s.surveyPage},
		{Pattern: "GET /surveys/{id}/edit", Perm: access.DeskManage, Handle: s.surveyEdit},
		{Pattern: "POST /surveys/{id}", Perm: access.DeskManage, Handle: s.surveyUpdate},
		{Pattern: "POST /surveys/{id}/issue", Perm: access.DeskManage, Handle: s.surveyIssue},
		{Pattern: "POST /surveys/{id}/close", Perm: access.DeskManage, Handle: s.surveyClose},
		{Pattern: "GET /surveys/{id}/export", Perm: access.CommRead, Handle: s.surveyExport},
		{Pattern: "GET /survey-tasks", Perm: access.CommRead, Handle: s.surveyTasks},
		{Pattern: "GET /survey-tasks/{id}", Perm: access.CommRead, Handle: s.surveyTaskPage},
		{Pattern: "POST /survey-tasks/{id}", Perm: access.CommWrite, Handle: s.surveyRespond},
		// 报表: the monthly satisfaction summary (客户满意度汇总表) and the
		// customers nobody contacted this month (当月无沟通客户).
		{Pattern: "GET /reports/satisfaction", Perm: access.CommRead, Handle: s.satisfactionReport},
		{Pattern: "GET /reports/satisfaction/export", Perm: access.CommRead, Handle: s.satisfactionExport},
		{Pattern: "GET /reports/no-contact", Perm: access.CommRead, Handle: s.noContactReport},
		// The manager's side: complaint analysis and the re-call sample.
		{Pattern: "GET /complaints/analysis", Perm: access.DeskManage, Handle: s.complaintAnalysis},
		{Pattern: "GET /resamples/{quarter}", Perm: access.DeskManage, Handle: s.resamplePage},
		{Pattern: "POST /resamples/{quarter}", Perm: access.DeskManage, Handle: s.resampleGenerate},
		{Pattern: "POST /resamples/items/{id}", Perm: access.DeskManage, Handle: s.resampleRecord},

		{Pattern: "GET /contracts", Perm: access.ContractRead, Handle: s.contractList},
		{Pattern: "GET /contracts/new", Perm: access.ContractWrite, Handle: s.contractNew},
		{Pattern: "POST /contracts", Perm: access.ContractWrite, Handle: s.contractCreate},
		{Pattern: "GET /contracts/{id}", Perm: access.ContractRead, Handle: s.contractPage},
		{Pattern: "GET /contracts/{id}/edit", Perm: access.ContractWrite, Handle: s.contractEdit},
		{Pattern: "POST /contracts/{id}", Perm: access.ContractWrite, Handle: s.contractUpdate},
		{Pattern: "POST /contracts/{id}/state", Perm: access.ContractWrite, Handle: s.contractState},
		{Pattern: "POST /contracts/{id}/outcome", Perm: access.ContractWrite, Handle: s.contractOutcome},
		{Pattern: "POST /contracts/{id}/contacts", Perm: access.ContractWrite, Handle: s.contractContact},
		{Pattern: "POST /contracts/{id}/invoices", Perm: access.FinanceWrite, Handle: s.contractInvoice},
		{Pattern: "POST /contracts/{id}/payments", Perm: access.FinanceWrite, Handle: s.contractPayment},
		{Pattern: "POST /payments/{id}/delete", Perm: access.FinanceWrite, Handle: s.paymentDelete},
		{Pattern: "GET /contracts/import", Perm: access.ContractImport, Handle: s.contractImportForm},
		{Pattern: "POST /contracts/import", Perm: access.ContractImport, Handle: s.contractImportRun},
		{Pattern: "GET /contracts/import/template", Perm: access.ContractImport, Handle: s.contractImportTemplate},
		{Pattern: "POST /contracts/{id}/files", Perm: access.ContractWrite, Handle: s.contractFileUpload("contract")},
		{Pattern: "POST /quotes/{id}/files", Perm: access.ContractWrite, Handle: s.contractFileUpload("quote")},
		{Pattern: "GET /contract-files/{id}", Perm: access.ContractRead, Handle: s.contractFileDownload},
		{Pattern: "GET /renewals", Perm: access.ContractRead, Handle: s.renewals},
		{Pattern: "GET /renewals/export", Perm: access.ContractRead, Handle: s.renewalsExport},
		{Pattern: "GET /receivables", Perm: access.ContractRead, Handle: s.receivables},
		{Pattern: "GET /receivables/export", Perm: access.ContractRead, Handle: s.receivablesExport},
		// 财务: the finance clerk's page, with the payment import (回款导入).
		{Pattern: "GET /finance", Perm: access.FinanceWrite, Handle: s.financePage},
		{Pattern: "GET /finance/installments", Perm: access.FinanceWrite, Handle: s.financeInstallments},
		{Pattern: "POST /finance/payments", Perm: access.FinanceWrite, Handle: s.financePayment},
		{Pattern: "POST /finance/import", Perm: access.FinanceWrite, Handle: s.paymentImportRun},
		{Pattern: "GET /finance/import/template", Perm: access.FinanceWrite, Handle: s.paymentImportTemplate},

		// 老客户新需求: needs, quotes and their follow-ups.
		{Pattern: "GET /needs", Perm: access.ContractRead, Handle: s.needList},
		{Pattern: "GET /needs/new", Perm: access.ContractWrite, Handle: s.needNew},
		{Pattern: "POST /needs", Perm: access.ContractWrite, Handle: s.needCreate},
		{Pattern: "GET /needs/{id}", Perm: access.ContractRead, Handle: s.needPage},
		{Pattern: "POST /needs/{id}/quotes", Perm: access.ContractWrite, Handle: s.quoteCreate},
		{Pattern: "POST /needs/{id}/follow-ups", Perm: access.ContractWrite, Handle: s.needFollowUp},
		{Pattern: "POST /needs/{id}/close", Perm: access.ContractWrite, Handle: s.needClose},
		{Pattern: "POST /quotes/{id}/send", Perm: access.ContractWrite, Handle: s.quoteSend},

		// 业务指标: renewal and collection rates with their evidence.
		{Pattern: "GET /rates", Perm: access.ContractRead, Handle: s.ratesPage},
		{Pattern: "GET /rates/{id}", Perm: access.ContractRead, Handle: s.rateEvidence},
		// 孤儿客户: customers whose sales owner left, for reassignment.
		{Pattern: "GET /orphans", Perm: access.CustomerAssign, Handle: s.orphansPage},

		// 现场工作: projects from contracts (立项), work orders (派工单) and
		// the dispatch board; who may work which record is the fieldwork
		// domain's to check (the customer's specialist or a manager; the
		// group's supervisor or a technician sent).
		{Pattern: "GET /projects", Perm: access.WorkRead, Handle: s.projectList},
		{Pattern: "GET /projects/new", Perm: access.WorkDispatch, Handle: s.projectNew},
		{Pattern: "POST /projects", Perm: access.WorkDispatch, Handle: s.projectCreate},
		{Pattern: "GET /projects/{id}", Perm: access.WorkRead, Handle: s.projectPage},
		{Pattern: "POST /projects/{id}", Perm: access.WorkDispatch, Handle: s.projectUpdate},
		{Pattern: "POST /projects/{id}/override", Perm: access.WorkManage, Handle: s.projectOverride},
		{Pattern: "POST /projects/{id}/dispatch", Perm: access.WorkDispatch, Handle: s.projectDispatch},
		{Pattern: "GET /work-orders", Perm: access.WorkRead, Handle: s.workOrderList},
		{Pattern: "GET /work-orders/new", Perm: access.WorkDispatch, Handle: s.workOrderNew},
		{Pattern: "POST /work-orders", Perm: access.WorkDispatch, Handle: s.workOrderCreate},
		{Pattern: "GET /work-orders/{id}", Perm: access.WorkRead, Handle: s.workOrderPage},
		{Pattern: "GET /work-orders/{id}/edit", Perm: access.WorkDispatch, Handle: s.workOrderEdit},
		{Pattern: "POST /work-orders/{id}", Perm: access.WorkDispatch, Handle: s.workOrderUpdate},
		{Pattern: "POST /work-orders/{id}/dispatch", Perm: access.WorkDispatch, Handle: s.workOrderDispatch},
		{Pattern: "POST /work-orders/{id}/return", Perm: access.WorkField, Handle: s.workOrderReturn},
		// Completion is the field's or the specialist's (the API's
		// permission too: work.read, the domain checks who).
		{Pattern: "POST /work-orders/{id}/complete", Perm: access.WorkRead, Handle: s.workOrderComplete},
		{Pattern: "POST /work-orders/{id}/cancel", Perm: access.WorkDispatch, Handle: s.workOrderCancel},
		// 验收: evidence photos and the sheet (uploaded by either side, the
		// domain checks who), the group post, the paper original, the
		// callback and the acceptance (the customer's specialist).
		{Pattern: "POST /work-orders/{id}/evidence", Perm: access.WorkRead, Handle: s.evidenceUpload},
		{Pattern: "GET /evidence/{id}", Perm: access.WorkRead, Handle: s.evidenceFile},
		{Pattern: "GET /evidence/{id}/thumbnail", Perm: access.WorkRead, Handle: s.evidenceThumbnail},
		{Pattern: "POST /evidence/{id}/confirm-watermark", Perm: access.WorkRead, Handle: s.evidenceConfirm},
		{Pattern: "POST /evidence/{id}/remove", Perm: access.WorkRead, Handle: s.evidenceRemove},
		{Pattern: "POST /work-orders/{id}/group-post", Perm: access.WorkRead, Handle: s.workOrderGroupPost},
		{Pattern: "POST /work-orders/{id}/paper", Perm: access.WorkDispatch, Handle: s.workOrderPaper},
		{Pattern: "POST /work-orders/{id}/callback", Perm: access.WorkDispatch, Handle: s.workOrderCallback},
		{Pattern: "POST /work-orders/{id}/accept", Perm: access.WorkDispatch, Handle: s.workOrderAccept},
		// 我的工作: the technician's page, with the end-of-day reports.
		{Pattern: "GET /my-work", Perm: access.WorkField, Handle: s.myWork},
		{Pattern: "POST /work-orders/{id}/reports", Perm: access.WorkField, Handle: s.workOrderReport},
		{Pattern: "POST /work-order-returns/{id}/withdraw", Perm: access.WorkManage, Handle: s.returnWithdraw},
		{Pattern: "GET /dispatch-board", Perm: access.WorkRead, Handle: s.dispatchBoard},
		// 工作跟进: the day's reminders and group feedback with the missing
		// end-of-day reports, the daily summary, problems, the 25th's
		// monthly summary and the monthly problem statistics. Whose records
		// are the fieldwork domain's to check.
		{Pattern: "GET /followups", Perm: access.WorkRead, Handle: s.followupsPage},
		{Pattern: "POST /followups", Perm: access.WorkDispatch, Handle: s.followupRecord},
		{Pattern: "GET /daily-summaries", Perm: access.WorkRead, Handle: s.dailySummaryIndex},
		{Pattern: "GET /daily-summaries/{day}", Perm: access.WorkRead, Handle: s.dailySummaryPage},
		{Pattern: "POST /daily-summaries/{day}/submit", Perm: access.WorkDispatch, Handle: s.dailySummarySubmit},
		{Pattern: "GET /problems", Perm: access.WorkRead, Handle: s.problemList},
		{Pattern: "GET /problems/new", Perm: access.WorkDispatch, Handle: s.problemNew},
		{Pattern: "POST /problems", Perm: access.WorkDispatch, Handle: s.problemCreate},
		{Pattern: "GET /problems/{id}", Perm: access.WorkRead, Handle: s.problemPage},
		{Pattern: "POST /problems/{id}/forward", Perm: access.WorkDispatch, Handle: s.problemForward},
		{Pattern: "POST /problems/{id}/resolve", Perm: access.WorkDispatch, Handle: s.problemResolve},
		{Pattern: "GET /monthly-summaries", Perm: access.WorkRead, Handle: s.monthlySummaryIndex},
		{Pattern: "GET /monthly-summaries/{month}", Perm: access.WorkRead, Handle: s.monthlySummaryPage},
		{Pattern: "GET /monthly-summaries/{month}/export", Perm: access.WorkRead, Handle: s.monthlySummaryExport},
		{Pattern: "POST /monthly-summaries/{month}/submit", Perm: access.WorkDispatch, Handle: s.monthlySummarySubmit},
		{Pattern: "GET /fieldwork/statistics", Perm: access.WorkRead, Handle: s.statisticsPage},
		{Pattern: "GET /fieldwork/statistics/export", Perm: access.WorkRead, Handle: s.statisticsExport},

		// 绩效考核: my card of the month (本月至今 until computed), a line's
		// occurrences with their evidence, the rater's form (the domain
		// checks who rates), the team's scoreboard (managers, executives;
		// others are sent to their own card) and the month's computation.
		{Pattern: "GET /appraisal", Perm: access.AppraisalRead, Handle: s.appraisalCard},
		{Pattern: "GET /appraisal/lines", Perm: access.AppraisalRead, Handle: s.appraisalLine},
		{Pattern: "GET /appraisal/team", Perm: access.AppraisalRead, Handle: s.appraisalTeam},
		{Pattern: "POST /appraisal/compute", Perm: access.AppraisalManage, Handle: s.appraisalCompute},
		{Pattern: "POST /appraisal/cards/{id}/ratings", Perm: access.AppraisalRead, Handle: s.appraisalRate},
		{Pattern: "POST /appraisal/cards/{id}/samples", Perm: access.AppraisalRead, Handle: s.appraisalSample},
		{Pattern: "POST /appraisal/checks", Perm: access.AppraisalRead, Handle: s.appraisalOpenCheck},
		// 考核标记: a rater flags or withdraws (the domain checks who and when).
		{Pattern: "POST /appraisal/flags", Perm: access.AppraisalRead, Handle: s.appraisalFlag},
		{Pattern: "POST /appraisal/flags/{id}/withdraw", Perm: access.AppraisalRead, Handle: s.appraisalWithdrawFlag},
		// The lifecycle (SPEC §8.4): the domain says who may make each step.
		{Pattern: "POST /appraisal/cards/{id}/transitions", Perm: access.AppraisalRead, Handle: s.appraisalTransition},
		{Pattern: "POST /appraisal/cards/{id}/comments", Perm: access.AppraisalRead, Handle: s.appraisalComment},
		{Pattern: "POST /appraisal/cards/{id}/appeals", Perm: access.AppraisalRead, Handle: s.appraisalAppeal},
		{Pattern: "POST /appraisal/appeals/{id}/decision", Perm: access.AppraisalManage, Handle: s.appraisalDecide},
		{Pattern: "POST /appraisal/open-self-review", Perm: access.AppraisalManage, Handle: s.appraisalOpenSelfReview},
		// The records: XLSX (the domain shows a staff member only their own).
		{Pattern: "GET /appraisal/print", Perm: access.AppraisalRead, Handle: s.appraisalPrint},
		{Pattern: "GET /appraisal/export", Perm: access.AppraisalRead, Handle: s.appraisalExport},
		{Pattern: "GET /appraisal/statistics/export", Perm: access.AppraisalRead, Handle: s.appraisalStatisticsExport},
		// The notifications' link to a card.
		{Pattern: "GET /scorecards/{id}", Perm: access.AppraisalRead, Handle: s.scorecardLink},
		// One communication record (an appraisal event's evidence) with the
		// conversation around it.
		{Pattern: "GET /communications/{id}", Perm: access.CommRead, Handle: s.commRecord},

		// 站内通知: everyone's own notifications.
		{Pattern: "GET /notifications", Perm: access.Authenticated, Handle: s.notificationList},
		{Pattern: "POST /notifications/read", Perm: access.Authenticated, Handle: s.notificationsReadAll},
		{Pattern: "POST /notifications/{id}/read", Perm: access.Authenticated, Handle: s.notificationRead},

		{Pattern: "GET /import", Perm: access.CustomerImport, Handle: s.importForm},
		{Pattern: "POST /import", Perm: access.CustomerImport, Handle: s.importRun},
		{Pattern: "GET /import/template/{kind}", Perm: access.CustomerImport, Handle: s.importTemplate},

		{Pattern: "GET /admin/staff", Perm: access.StaffRead, Handle: s.staffList},
		{Pattern: "GET /admin/staff/new", Perm: access.StaffWrite, Handle: s.staffNew},
		{Pattern: "POST /admin/staff", Perm: access.StaffWrite, Handle: s.staffCreate},
		{Pattern: "GET /admin/staff/{id}", Perm: access.StaffWrite, Handle: s.staffEdit},
		{Pattern: "POST /admin/staff/{id}", Perm: access.StaffWrite, Handle: s.staffUpdate},
		{Pattern: "POST /admin/staff/{id}/password", Perm: access.StaffWrite, Handle: s.staffPassword},
		{Pattern: "POST /admin/staff/{id}/active", Perm: access.StaffWrite, Handle: s.staffActive},
		{Pattern: "GET /admin/org", Perm: access.StaffRead, Handle: s.orgPage},
		{Pattern: "POST /admin/org/{kind}", Perm: access.OrgWrite, Handle: s.orgSave},
		{Pattern: "GET /admin/calendar", Perm: access.StaffRead, Handle: s.calendarPage},
		{Pattern: "POST /admin/calendar/settings", Perm: access.CalendarWrite, Handle: s.calendarSettings},
		{Pattern: "POST /admin/calendar/holidays", Perm: access.CalendarWrite, Handle: s.holidayPut},
		{Pattern: "POST /admin/calendar/import", Perm: access.CalendarWrite, Handle: s.holidayImport},
		{Pattern: "POST /admin/calendar/holidays/{day}/delete", Perm: access.CalendarWrite, Handle: s.holidayDelete},
		{Pattern: "GET /admin/tokens", Perm: access.TokenManage, Handle: s.tokenList},
		{Pattern: "POST /admin/tokens", Perm: access.TokenManage, Handle: s.tokenCreate},
		{Pattern: "POST /admin/tokens/{id}/revoke", Perm: access.TokenManage, Handle: s.tokenRevoke},
		{Pattern: "GET /admin/audit", Perm: access.AuditRead, Handle: s.auditPage},
		// The contracts policy is the managers' (cs_manager, admin): no
		// permission names exactly that, contract.import is held by exactly
		// those roles (the domain checks IsManagerial on save).
		{Pattern: "GET /admin/contract-policy", Perm: access.ContractImport, Handle: s.contractPolicy},
		{Pattern: "POST /admin/contract-policy", Perm: access.ContractImport, Handle: s.contractPolicySave},
		{Pattern: "GET /admin/tickets-policy", Perm: access.DeskManage, Handle: s.ticketPolicy},
		{Pattern: "POST /admin/tickets-policy", Perm: access.DeskManage, Handle: s.ticketPolicySave},
		// The response targets are read by everyone on the desk (the API
		// serves them with comm.read); the settings tab is the managers'.
		{Pattern: "GET /admin/response-policy", Perm: access.DeskManage, Handle: s.responsePolicy},
		{Pattern: "POST /admin/response-policy", Perm: access.DeskManage, Handle: s.responsePolicySave},
		{Pattern: "POST /admin/response-policy/derive", Perm: access.DeskManage, Handle: s.responsePolicyDerive},
		{Pattern: "GET /admin/fieldwork", Perm: access.WorkManage, Handle: s.fieldworkPolicy},
		{Pattern: "POST /admin/fieldwork", Perm: access.WorkManage, Handle: s.fieldworkPolicySave},
		{Pattern: "POST /admin/fieldwork/progress", Perm: access.WorkManage, Handle: s.progressPolicySave},
		// 考核方案: everyone reads the schemes; managers draft and edit drafts;
		// the executive approves (the domain checks the role after loading
		// the version, so a fake id is 404 for everyone).
		{Pattern: "GET /admin/appraisal-schemes", Perm: access.AppraisalRead, Handle: s.appraisalSchemes},
		{Pattern: "POST /admin/appraisal-schemes", Perm: access.AppraisalManage, Handle: s.appraisalSchemeDraft},
		{Pattern: "GET /admin/appraisal-schemes/{id}", Perm: access.AppraisalRead, Handle: s.appraisalScheme},
		{Pattern: "POST /admin/appraisal-schemes/{id}", Perm: access.AppraisalManage, Handle: s.appraisalSchemeSave},
		{Pattern: "POST /admin/appraisal-schemes/{id}/approve", Perm: access.AppraisalRead, Handle: s.appraisalSchemeApprove},
		{Pattern: "POST /admin/appraisal-schemes/{id}/retire", Perm: access.AppraisalRead, Handle: s.appraisalSchemeRetire},
	}
}

// Mount registers the routes on mux, each behind its permission check,
// plus the static assets.
func (s *Server) Mount(mux *http.ServeMux) {
	for _, rt := range s.Routes() {
		mux.Handle(rt.Pattern, httpx.Guard(rt, s.Error))
	}
	mux.Handle("GET /static/", StaticHandler())
	mux.Handle("GET /favicon.ico", http.RedirectHandler("/static/favicon.svg", http.StatusMovedPermanently))
}
