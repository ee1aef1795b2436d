package api

import (
	"net/http"
	"slices"

	"kefu/internal/access"
	"kefu/internal/auth"
	"kefu/internal/comms"
	"kefu/internal/contracts"
	"kefu/internal/customers"
	"kefu/internal/httpx"
	"kefu/internal/notify"
	"kefu/internal/org"
	"kefu/internal/surveys"
	"kefu/internal/tickets"
	"kefu/internal/workcal"
)

// route is one entry of the API's route table: the pattern, the
// permission, the handler and its description for the OpenAPI document.
type route struct {
	Pattern string
	Perm    access.Permission
	Handle  func(w http.ResponseWriter, r *http.Request) error
	Doc     op
}

// Routes is the API's one route table, as the shared route type.
func (s *Server) Routes() []httpx.Route {
	tbl := s.table()
	out := make([]httpx.Route, len(tbl))
	for i, rt := range tbl {
		out[i] = httpx.Route{Pattern: rt.Pattern, Perm: rt.Perm, Handle: rt.Handle}
	}
	return out
}

// Query parameters shared by several routes.
var (
	qLimit = func(def, max int) param {
		return param{Name: "limit", Type: "integer", Zh: "每页条数", En: "page size", Default: def, Min: 1, Max: max}
	}
	qAfter   = param{Name: "after", Zh: "上一页返回的 next 游标", En: "the next cursor of the previous page"}
	qOwnerID = param{Name: "owner_id", Zh: "分管客服 id（客服专员默认自己；传空值查看全部）",
		En: "owning specialist id (a specialist defaults to themself; pass it empty for all)"}
)

// table lists every route. Each has a permission and a description (Doc);
// openapi_doc.go builds the OpenAPI document from this table, and a test
// fails on any route whose description is incomplete.
func (s *Server) table() []route {
	return append([]route{
		{Pattern: "GET /api/v1/openapi.json", Perm: access.Public, Handle: s.openAPI,
			Doc: op{Tag: "meta", Zh: "本 API 的 OpenAPI 3.1 描述", En: "This API's OpenAPI 3.1 description", Resp: anyJSON{}}},

		// Me.
		{Pattern: "GET /api/v1/me", Perm: access.Authenticated, Handle: s.me,
			Doc: op{Tag: "me", Zh: "当前用户", En: "The caller", Resp: meResponse{}}},
		{Pattern: "POST /api/v1/me/password", Perm: access.Authenticated, Handle: s.changePassword,
			Doc: op{Tag: "me", Zh: "修改本人密码", En: "Change one's own password", Body: passwordChange{}, Status: http.StatusNoContent}},

		// Staff.
		{Pattern: "GET /api/v1/staff", Perm: access.StaffRead, Handle: s.listStaff,
			Doc: op{Tag: "staff", Zh: "员工列表", En: "List staff", Resp: org.Staff{}, Shape: shapeList, Query: []param{
				{Name: "role", Zh: "角色", En: "role", Enum: roleNames()},
				{Name: "active", Type: "boolean", Zh: "在职", En: "active (not left)"},
				{Name: "department_id", Zh: "部门 id", En: "department id"},
				{Name: "group_id", Zh: "维修组 id", En: "maintenance group id"},
				{Name: "q", Zh: "姓名、登录名或电话包含", En: "name, login or phone contains"},
			}}},
		{Pattern: "POST /api/v1/staff", Perm: access.StaffWrite, Handle: s.createStaff,
			Doc: op{Tag: "staff", Zh: "新增员工", En: "Create a staff member", Body: staffCreate{}, Resp: org.Staff{}, Status: http.StatusCreated,
				Desc: "password 可选：给出时设置初始密码（默认下次登录须修改）。 Optional password sets the first password (must be changed at next login unless must_change is false)."}},
		{Pattern: "GET /api/v1/staff/{id}", Perm: access.StaffRead, Handle: s.getStaff,
			Doc: op{Tag: "staff", Zh: "员工详情", En: "Get a staff member", Resp: org.Staff{}}},
		{Pattern: "PUT /api/v1/staff/{id}", Perm: access.StaffWrite, Handle: s.updateStaff,
			Doc: op{Tag: "staff", Zh: "修改员工", En: "Update a staff member", Body: staffUpdate{}, Resp: org.Staff{}}},
		{Pattern: "PUT /api/v1/staff/{id}/roles", Perm: access.StaffWrite, Handle: s.setStaffRoles,
			Doc: op{Tag: "staff", Zh: "设置员工角色", En: "Set a staff member's roles", Body: rolesUpdate{}, Resp: org.Staff{}}},
		{Pattern: "PUT /api/v1/staff/{id}/active", Perm: access.StaffWrite, Handle: s.setStaffActive,
			Doc: op{Tag: "staff", Zh: "设置在职/离职", En: "Mark a staff member active or left", Body: activeUpdate{}, Resp: org.Staff{},
				Desc: "active=false 时 left_on 为离职日期（默认今天）。 With active=false, left_on is the day they left (default today)."}},
		{Pattern: "PUT /api/v1/staff/{id}/password", Perm: access.StaffWrite, Handle: s.setStaffPassword,
			Doc: op{Tag: "staff", Zh: "重置员工密码", En: "Set a staff member's password", Body: passwordSet{}, Status: http.StatusNoContent}},

		// Departments, maintenance groups, regions.
		{Pattern: "GET /api/v1/departments", Perm: access.StaffRead, Handle: s.listDepartments,
			Doc: op{Tag: "org", Zh: "部门列表", En: "List departments", Resp: org.Department{}, Shape: shapeList}},
		{Pattern: "POST /api/v1/departments", Perm: access.OrgWrite, Handle: s.createDepartment,
			Doc: op{Tag: "org", Zh: "新增部门", En: "Create a department", Body: departmentInput{}, Resp: org.Department{}, Status: http.StatusCreated}},
		{Pattern: "PUT /api/v1/departments/{id}", Perm: access.OrgWrite, Handle: s.updateDepartment,
			Doc: op{Tag: "org", Zh: "修改部门", En: "Update a department", Body: departmentUpdate{}, Resp: org.Department{}}},
		{Pattern: "GET /api/v1/groups", Perm: access.StaffRead, Handle: s.listGroups,
			Doc: op{Tag: "org", Zh: "维修组列表", En: "List maintenance groups", Resp: org.Group{}, Shape: shapeList}},
		{Pattern: "POST /api/v1/groups", Perm: access.OrgWrite, Handle: s.createGroup,
			Doc: op{Tag: "org", Zh: "新增维修组", En: "Create a maintenance group", Body: groupInput{}, Resp: org.Group{}, Status: http.StatusCreated}},
		{Pattern: "PUT /api/v1/groups/{id}", Perm: access.OrgWrite, Handle: s.updateGroup,
			Doc: op{Tag: "org", Zh: "修改维修组", En: "Update a maintenance group", Body: groupUpdate{}, Resp: org.Group{}}},
		{Pattern: "GET /api/v1/regions", Perm: access.StaffRead, Handle: s.listRegions,
			Doc: op{Tag: "org", Zh: "区域列表", En: "List regions", Resp: org.Region{}, Shape: shapeList}},
		{Pattern: "POST /api/v1/regions", Perm: access.OrgWrite, Handle: s.createRegion,
			Doc: op{Tag: "org", Zh: "新增区域", En: "Create a region", Body: regionInput{}, Resp: org.Region{}, Status: http.StatusCreated}},
		{Pattern: "PUT /api/v1/regions/{id}", Perm: access.OrgWrite, Handle: s.updateRegion,
			Doc: op{Tag: "org", Zh: "修改区域", En: "Update a region", Body: regionUpdate{}, Resp: org.Region{}}},

		// Customers.
		{Pattern: "GET /api/v1/customers", Perm: access.CustomerRead, Handle: s.listCustomers,
			Doc: op{Tag: "customers", Zh: "客户列表（按名称排序，游标分页）", En: "List customers (by name, keyset paging)",
				Resp: customers.CustomerView{}, Shape: shapePage, Query: []param{
					{Name: "q", Zh: "名称、编号、地址或联系人姓名/电话包含", En: "name, code, address, or a contact's name or phone contains"},
					{Name: "region_id", Zh: "区域 id", En: "region id"},
					{Name: "class", Zh: "客户等级", En: "customer class", Enum: customers.Classes},
					{Name: "owner_id", Zh: "分管客服 id", En: "owning specialist id"},
					{Name: "status", Zh: "状态", En: "status", Enum: customers.Statuses},
					{Name: "orphan", Type: "boolean", Zh: "仅孤儿客户（销售负责人已离职）", En: "only orphan customers (sales owner has left)"},
					qAfter, qLimit(50, 200),
				}}},
		{Pattern: "POST /api/v1/customers", Perm: access.CustomerWrite, Handle: s.createCustomer,
			Doc: op{Tag: "customers", Zh: "新建客户", En: "Create a customer", Body: customers.CustomerInput{}, Resp: customers.CustomerView{}, Status: http.StatusCreated,
				Desc: "客服专员新建的客户归本人分管。 A specialist's new customer is their own."}},
		{Pattern: "GET /api/v1/customers/{id}", Perm: access.CustomerRead, Handle: s.getCustomer,
			Doc: op{Tag: "customers", Zh: "客户详情", En: "Get a customer", Resp: customers.CustomerView{}}},
		{Pattern: "PUT /api/v1/customers/{id}", Perm: access.CustomerWrite, Handle: s.updateCustomer,
			Doc: op{Tag: "customers", Zh: "修改客户", En: "Update a customer", Body: customerUpdate{}, Resp: customers.CustomerView{}, Desc: updateNote +
				" 客服专员只能修改本人分管的客户；调整分管客服或销售负责人须 customer.assign。 A specialist edits only their own customers; changing owner_id or sales_owner_id needs customer.assign."}},
		{Pattern: "GET /api/v1/customers/{id}/changes", Perm: access.CustomerRead, Handle: s.customerChanges,
			Doc: op{Tag: "archive", Zh: "客户档案变更历史（新到旧）", En: "A customer's archive history, newest first",
				Resp: customers.ArchiveChangeView{}, Shape: shapeList, Query: []param{qLimit(200, 1000)}}},

		// Contacts.
		{Pattern: "GET /api/v1/customers/{id}/contacts", Perm: access.CustomerRead, Handle: s.listContacts,
			Doc: op{Tag: "contacts", Zh: "客户的联系人", En: "A customer's contacts", Resp: customers.Contact{}, Shape: shapeList}},
		{Pattern: "POST /api/v1/customers/{id}/contacts", Perm: access.CustomerWrite, Handle: s.createContact,
			Doc: op{Tag: "contacts", Zh: "新增联系人", En: "Add a contact", Body: customers.ContactInput{}, Resp: customers.Contact{}, Status: http.StatusCreated}},
		{Pattern: "GET /api/v1/contacts/{id}", Perm: access.CustomerRead, Handle: s.getContact,
			Doc: op{Tag: "contacts", Zh: "联系人详情", En: "Get a contact", Resp: customers.Contact{}}},
		{Pattern: "PUT /api/v1/contacts/{id}", Perm: access.CustomerWrite, Handle: s.updateContact,
			Doc: op{Tag: "contacts", Zh: "修改联系人（离任：active=false）", En: "Update a contact (left: active=false)", Body: contactUpdate{}, Resp: customers.Contact{}, Desc: updateNote}},

		// Equipment.
		{Pattern: "GET /api/v1/customers/{id}/equipment", Perm: access.CustomerRead, Handle: s.listEquipment,
			Doc: op{Tag: "equipment", Zh: "客户的设备", En: "A customer's equipment", Resp: customers.Equipment{}, Shape: shapeList}},
		{Pattern: "POST /api/v1/customers/{id}/equipment", Perm: access.CustomerWrite, Handle: s.createEquipment,
			Doc: op{Tag: "equipment", Zh: "新增设备", En: "Add equipment", Body: customers.EquipmentInput{}, Resp: customers.Equipment{}, Status: http.StatusCreated}},
		{Pattern: "PUT /api/v1/equipment/{id}", Perm: access.CustomerWrite, Handle: s.updateEquipment,
			Doc: op{Tag: "equipment", Zh: "修改设备", En: "Update equipment", Body: equipmentUpdate{}, Resp: customers.Equipment{}, Desc: updateNote}},

		// WeChat service groups.
		{Pattern: "GET /api/v1/customers/{id}/wechat-groups", Perm: access.CustomerRead, Handle: s.listWeChatGroups,
			Doc: op{Tag: "wechat", Zh: "客户服务微信群及成员", En: "A customer's WeChat service groups with their members", Resp: wechatGroupView{}, Shape: shapeList}},
		{Pattern: "POST /api/v1/customers/{id}/wechat-groups", Perm: access.CustomerWrite, Handle: s.createWeChatGroup,
			Doc: op{Tag: "wechat", Zh: "建立微信群", En: "Create a WeChat service group", Body: customers.GroupInput{}, Resp: customers.WeChatGroup{}, Status: http.StatusCreated}},
		{Pattern: "PUT /api/v1/wechat-groups/{id}", Perm: access.CustomerWrite, Handle: s.updateWeChatGroup,
			Doc: op{Tag: "wechat", Zh: "修改微信群", En: "Update a WeChat service group", Body: groupUpdateBody{}, Resp: customers.WeChatGroup{}, Desc: updateNote}},
		{Pattern: "POST /api/v1/wechat-groups/{id}/members", Perm: access.CustomerWrite, Handle: s.addMember,
			Doc: op{Tag: "wechat", Zh: "微信群加入成员", En: "Add a member to a WeChat group", Body: customers.MemberInput{}, Resp: customers.Member{}, Status: http.StatusCreated}},
		{Pattern: "POST /api/v1/wechat-members/{id}/remove", Perm: access.CustomerWrite, Handle: s.removeMember,
			Doc: op{Tag: "wechat", Zh: "微信群移出成员（清退，known_on 为移出日期）", En: "Remove a member from a WeChat group (known_on is the day)",
				Body: customers.Change{}, BodyOptional: true, Status: http.StatusNoContent}},

		// Electronic files.
		{Pattern: "GET /api/v1/customers/{id}/files", Perm: access.CustomerRead, Handle: s.listFiles,
			Doc: op{Tag: "files", Zh: "客户的电子档案", En: "A customer's electronic files", Resp: customers.File{}, Shape: shapeList}},
		{Pattern: "POST /api/v1/customers/{id}/files", Perm: access.CustomerWrite, Handle: s.uploadFile,
			Doc: op{Tag: "files", Zh: "上传电子档案（PDF、图片、Office 文档）", En: "Upload an electronic file (PDF, image, Office document)",
				Resp: customers.File{}, Status: http.StatusCreated, Form: []param{
					{Name: "file", Type: "file", Required: true, Zh: "文件（不超过上传上限）", En: "the file (up to the upload limit)"},
					{Name: "category", Zh: "类别，如 合同、图纸", En: "category, e.g. contract, drawing"},
					{Name: "known_on", Format: "date", Zh: knownOnZh, En: knownOnEn},
					{Name: "recorded_at", Format: "date-time", Zh: recordedAtZh, En: recordedAtEn},
				}}},
		{Pattern: "GET /api/v1/files/{id}", Perm: access.CustomerRead, Handle: s.downloadFile,
			Doc: op{Tag: "files", Zh: "下载电子档案", En: "Download an electronic file", Binary: true}},

		// Archive lists.
		{Pattern: "GET /api/v1/archive/late", Perm: access.CustomerRead, Handle: s.lateChanges,
			Doc: op{Tag: "archive", Zh: "档案未当日更新（记录晚于知悉日期）", En: "Archive changes recorded later than the day they became known",
				Resp: customers.ArchiveChangeView{}, Shape: shapeList, Query: []param{
					qOwnerID,
					{Name: "from", Format: "date", Zh: "记录日期起（含）", En: "recorded on or after"},
					{Name: "to", Format: "date", Zh: "记录日期止（含）", En: "recorded on or before"},
					qLimit(500, 1000),
				}}},
		{Pattern: "GET /api/v1/archive/members-to-remove", Perm: access.CustomerRead, Handle: s.membersToRemove,
			Doc: op{Tag: "archive", Zh: "待清退的微信群成员", En: "Invalid WeChat group members still in a group",
				Resp: customers.MemberView{}, Shape: shapeList, Query: []param{qOwnerID}}},

		// Import.
		{Pattern: "POST /api/v1/imports", Perm: access.CustomerImport, Handle: s.importFile,
			Doc: op{Tag: "import", Zh: "导入客户、联系人或设备（XLSX/CSV，UTF-8 或 GBK）", En: "Import customers, contacts or equipment (XLSX/CSV, UTF-8 or GBK)",
				Resp: importResult{}, Form: []param{
					{Name: "file", Type: "file", Required: true, Zh: "XLSX 或 CSV 文件", En: "an XLSX or CSV file"},
					{Name: "kind", Required: true, Zh: "导入内容", En: "what the file holds", Enum: importKinds()},
					{Name: "mode", Zh: "有错误行时：reject 整个文件不导入（默认）；skip 跳过错误行", En: "with bad rows: reject the whole file (default) or skip the bad rows", Enum: []string{"reject", "skip"}, Default: "reject"},
					{Name: "dry_run", Type: "boolean", Zh: "只预览不写入；之后用 /imports/{key}/apply 导入同一文件", En: "report only; apply the same staged file later with /imports/{key}/apply", Default: false},
					{Name: "mapping", Zh: "可选，JSON 对象：文件表头 → 列名", En: "optional JSON object: file header → column key"},
				},
				Desc: "返回报告：每行的动作（create/update/unchanged）与错误（行、列、原因）。rejected=true 表示因有错误行而未写入。 The report lists each row's action and every error with row, column and reason; rejected=true means nothing was written because of bad rows."}},
		{Pattern: "POST /api/v1/imports/{key}/apply", Perm: access.CustomerImport, Handle: s.applyImport,
			Doc: op{Tag: "import", Zh: "导入已暂存（预览过）的文件", En: "Apply a staged (dry-run) import", Body: importApply{}, Resp: importResult{}}},

		// Contracts.
		{Pattern: "GET /api/v1/contracts", Perm: access.ContractRead, Handle: s.listContracts,
			Doc: op{Tag: "contracts", Zh: "合同列表（按结束日期排序，游标分页）", En: "List contracts (by end date, keyset paging)",
				Resp: contracts.ContractView{}, Shape: shapePage, Desc: moneyNote, Query: []param{
					{Name: "q", Zh: "合同编号、名称或客户名称包含", En: "contract number, title or customer name contains"},
					{Name: "customer_id", Zh: "客户 id", En: "customer id"},
					{Name: "owner_id", Zh: "分管客服 id", En: "owning specialist id"},
					{Name: "kind", Zh: "合同类型", En: "contract kind", Enum: contracts.Kinds},
					{Name: "status", Zh: "状态（由状态与日期推算）", En: "status (derived from state and dates)", Enum: contracts.Statuses},
					{Name: "end_from", Format: "date", Zh: "结束日期起（含）", En: "ends on or after"},
					{Name: "end_to", Format: "date", Zh: "结束日期止（含）", En: "ends on or before"},
					qAfter, qLimit(50, 200),
				}}},
		{Pattern: "POST /api/v1/contracts", Perm: access.ContractWrite, Handle: s.createContract,
			Doc: op{Tag: "contracts", Zh: "新建合同（含服务内容与付款计划）", En: "Create a contract with its scope and payment schedule",
				Body: contractCreate{}, Resp: contracts.ContractDetail{}, Status: http.StatusCreated, Desc: moneyNote +
					" 默认为草稿，activate=true 直接生效；客服专员只能为本人分管的客户录入。各期金额合计须等于合同金额（否则 schedule_differs=true 并填写 schedule_note）。 " +
					"A new contract is a draft unless activate is true; a specialist enters contracts only for their own customers. " +
					"The installments must add up to amount_fen unless schedule_differs is set with a schedule_note."}},
		{Pattern: "GET /api/v1/contracts/{id}", Perm: access.ContractRead, Handle: s.getContract,
			Doc: op{Tag: "contracts", Zh: "合同详情（服务内容、付款计划、发票、回款）", En: "Get a contract with scope, schedule, invoices and payments",
				Resp: contracts.ContractDetail{}, Desc: moneyNote}},
		{Pattern: "PUT /api/v1/contracts/{id}", Perm: access.ContractWrite, Handle: s.updateContract,
			Doc: op{Tag: "contracts", Zh: "修改合同", En: "Update a contract", Body: contractUpdate{}, Resp: contracts.ContractDetail{}, Desc: updateNote +
				" scope 与 installments 整体替换，省略（或 null）则保持不变；保留已有分期须带上其 id，已有回款或发票的分期不能删除或减少到其金额以下。 " +
				"scope and installments replace the lists as a whole and are kept when left out (or null); keep an installment by sending its id — " +
				"one with payments or invoices can be neither removed nor reduced below them. " + moneyNote}},
		{Pattern: "POST /api/v1/contracts/{id}/state", Perm: access.ContractWrite, Handle: s.setContractState,
			Doc: op{Tag: "contracts", Zh: "合同生效或终止", En: "Activate a draft or terminate an active contract", Body: stateChange{}, Resp: contracts.ContractDetail{},
				Desc: "state=active 使草稿生效；state=terminated 终止生效中的合同，须填写 reason，terminated_on 默认今天。其他状态变化返回 409。 " +
					"state=active activates a draft; state=terminated ends an active contract with a reason (terminated_on defaults to today). Any other change is 409."}},
		{Pattern: "POST /api/v1/contracts/{id}/outcome", Perm: access.ContractWrite, Handle: s.setRenewalOutcome,
			Doc: op{Tag: "renewals", Zh: "记录续约结果（未续签须说明原因）", En: "Record the renewal outcome (lost needs a reason)", Body: outcomeChange{}, Resp: contracts.ContractDetail{},
				Desc: "outcome=lost 并填写 reason，或 pending 重新跟进。续签（renewed）通过录入带 renewed_from 的新合同完成。 " +
					"outcome=lost with a reason, or pending to reopen. Renewed is set by entering the successor contract with renewed_from."}},
		{Pattern: "GET /api/v1/contracts/{id}/communications", Perm: access.ContractRead, Handle: s.listContractCommunications,
			Doc: op{Tag: "contracts", Zh: "合同的沟通记录（续约联系、催款，新到旧）", En: "A contract's communication records (renewal contacts, dunning), newest first",
				Resp: contracts.Communication{}, Shape: shapeList}},
		{Pattern: "POST /api/v1/contracts/{id}/communications", Perm: access.ContractWrite, Handle: s.logContractContact,
			Doc: op{Tag: "contracts", Zh: "记录续约联系或催款", En: "Log a renewal contact or a dunning call", Body: contractContact{}, Resp: contracts.Communication{},
				Status: http.StatusCreated, Desc: "tag=renewal 为续约联系，tag=dunning 为催款；客服专员只能为本人分管客户的合同记录。 " +
					"tag renewal is a renewal contact, dunning a dunning call; a specialist logs them only on their own customers' contracts."}},

		// Invoices and payments received.
		{Pattern: "POST /api/v1/payments", Perm: access.FinanceWrite, Handle: s.recordPayment,
			Doc: op{Tag: "finance", Zh: "登记回款", En: "Record a payment received", Body: contracts.PaymentInput{}, Resp: contracts.Payment{}, Status: http.StatusCreated,
				Desc: moneyNote + " 未指定 installment_id 时按到期日从早到晚冲抵未付分期；超出未付总额的部分须填写 credit_reason，记为预收。" +
					"同一合同、日期、金额和凭证号（reference）的回款只能登记一次，重复返回 409。 " +
					"Without installment_id the money pays the open installments oldest due first; what exceeds everything open needs a credit_reason " +
					"and is kept as credit. A payment with the same contract, day, amount and reference is recorded once; a repeat is 409."}},
		{Pattern: "DELETE /api/v1/payments/{id}", Perm: access.FinanceWrite, Handle: s.deletePayment,
			Doc: op{Tag: "finance", Zh: "删除误登记的回款（须说明原因）", En: "Delete a wrongly recorded payment (with a reason)",
				Body: paymentDelete{}, BodyOptional: true, Status: http.StatusNoContent,
				Query: []param{{Name: "reason", Zh: "删除原因（也可放在请求体）", En: "why it is deleted (or in the body)"}},
				Desc:  "原因放在请求体 reason 或查询参数 reason；已冲抵的分期恢复为未付。 The reason comes in the body or the reason query parameter; the installments it paid are open again."}},
		{Pattern: "POST /api/v1/invoices", Perm: access.FinanceWrite, Handle: s.recordInvoice,
			Doc: op{Tag: "finance", Zh: "登记发票", En: "Record an invoice issued", Body: contracts.InvoiceInput{}, Resp: contracts.Invoice{}, Status: http.StatusCreated,
				Desc: moneyNote + " 一期的发票合计不能超过该期金额；发票号重复返回 409。 The invoices of an installment may not exceed its amount; a repeated number is 409."}},
		{Pattern: "GET /api/v1/receivables", Perm: access.ContractRead, Handle: s.receivables,
			Doc: op{Tag: "finance", Zh: "应收账龄（未付分期，按到期日排序）", En: "Receivables ageing: open installments, oldest due first",
				Resp: contracts.Receivables{}, Desc: moneyNote + " totals 为筛选范围内各账龄区间的未付合计（不受 bucket 和分页影响）；next 为下一页游标。 " +
					"totals are the open amounts per ageing bucket over the whole selection (before bucket and paging); next is the next page's cursor.",
				Query: []param{
					qOwnerID,
					{Name: "customer_id", Zh: "客户 id", En: "customer id"},
					{Name: "contract_id", Zh: "合同 id", En: "contract id"},
					{Name: "bucket", Zh: "账龄区间（逾期天数）", En: "ageing bucket (days overdue)", Enum: contracts.Buckets},
					qAfter, qLimit(100, 500),
				}}},

		{Pattern: "GET /api/v1/payments", Perm: access.ContractRead, Handle: s.listPayments,
			Doc: op{Tag: "finance", Zh: "最近登记的回款（新到旧）", En: "Recently recorded payments, newest first",
				Resp: contracts.PaymentView{}, Shape: shapeList, Query: []param{qLimit(50, 500)},
				Desc: moneyNote + " 客服专员在不可查看全部客户时只看到本人分管客户的回款。 A specialist without read-all sees only the payments of their own customers."}},
		{Pattern: "GET /api/v1/contracts/by-number", Perm: access.ContractRead, Handle: s.contractByNumber,
			Doc: op{Tag: "contracts", Zh: "按合同编号查找合同（不区分大小写）", En: "Look a contract up by its number (any case)",
				Resp: contracts.ContractDetail{}, Desc: moneyNote + " 没有该编号的合同返回 404。 404 when no contract has the number.",
				Query: []param{{Name: "number", Required: true, Zh: "合同编号", En: "contract number"}}}},
		{Pattern: "GET /api/v1/receivables/export", Perm: access.ContractRead, Handle: s.exportReceivables,
			Doc: op{Tag: "finance", Zh: "导出应收账龄表（XLSX）", En: "Export the receivables ageing report (XLSX)", XLSX: true,
				Desc: "每个未付分期一行，表尾为各账龄区间合计。金额为数值单元格（元，精确到分，格式 #,##0.00，可直接求和），期次与逾期天数为数值，应收日期为日期单元格（yyyy-mm-dd）。筛选同 /receivables（不分页）。 " +
					"One row per open installment, then the totals per ageing bucket. Amounts are number cells (yuan, exact to the fen, shown #,##0.00, so they sum), the installment number and days overdue numbers, due dates date cells (yyyy-mm-dd). The filters of /receivables without paging.",
				Query: []param{
					qOwnerID,
					{Name: "customer_id", Zh: "客户 id", En: "customer id"},
					{Name: "contract_id", Zh: "合同 id", En: "contract id"},
					{Name: "bucket", Zh: "账龄区间（逾期天数）", En: "ageing bucket (days overdue)", Enum: contracts.Buckets},
				}}},

		// Renewal desk.
		{Pattern: "GET /api/v1/renewals", Perm: access.ContractRead, Handle: s.renewalDesk,
			Doc: op{Tag: "renewals", Zh: "续约台：进入续约窗口的合同（按剩余天数排序）", En: "Renewal desk: contracts in their renewal window, by days left",
				Resp: contracts.RenewalItem{}, Shape: shapeList, Desc: moneyNote, Query: []param{
					qOwnerID,
					{Name: "outcome", Zh: "续约结果", En: "renewal outcome", Enum: []string{"pending", "renewed", "lost"}},
					{Name: "flagged", Type: "boolean", Zh: "仅未及时联系决策人的合同", En: "only contracts without a timely renewal contact"},
				}}},
		{Pattern: "GET /api/v1/renewals/export", Perm: access.ContractRead, Handle: s.exportRenewals,
			Doc: op{Tag: "renewals", Zh: "导出续约清单（XLSX）", En: "Export the renewal desk (XLSX)", XLSX: true,
				Desc: "合同金额为数值单元格（元，格式 #,##0.00），剩余天数与续约联系次数为数值，日期为日期单元格（yyyy-mm-dd），最近沟通为日期时间单元格。筛选同 /renewals。 " +
					"The contract amount is a number cell (yuan, shown #,##0.00), days left and renewal contacts numbers, dates date cells (yyyy-mm-dd), the last contact a date-time cell. The filters of /renewals.", Query: []param{
					qOwnerID,
					{Name: "outcome", Zh: "续约结果", En: "renewal outcome", Enum: renewalOutcomeNames},
					{Name: "flagged", Type: "boolean", Zh: "仅未及时联系决策人的合同", En: "only contracts without a timely renewal contact"},
				}}},
		{Pattern: "GET /api/v1/settings/contracts-policy", Perm: access.ContractRead, Handle: s.contractsPolicy,
			Doc: op{Tag: "renewals", Zh: "合同与应收规则（续约窗口、联系期限、报价跟进、到期提醒）", En: "Contracts policy: renewal window, contact days, quote follow-up, due-soon reminders",
				Resp: contracts.Policy{}}},
		// The policy is the managers' (cs_manager, admin): no permission
		// names exactly that; contract.import is held by exactly those roles,
		// as on the web page (the domain checks IsManagerial on save).
		{Pattern: "PUT /api/v1/settings/contracts-policy", Perm: access.ContractImport, Handle: s.saveContractsPolicy,
			Doc: op{Tag: "renewals", Zh: "修改合同与应收规则（客服经理、管理员）", En: "Change the contracts policy (managers and admins)", Body: policyInput{}, Resp: contracts.Policy{},
				Desc: "省略的字段保持原值。 Fields left out keep their stored values."}},

		// New business from existing customers: needs and quotes.
		{Pattern: "GET /api/v1/needs", Perm: access.ContractRead, Handle: s.listNeeds,
			Doc: op{Tag: "needs", Zh: "老客户新需求列表（新到旧，最多 500 条）", En: "Needs of existing customers, newest first (at most 500)",
				Resp: contracts.NeedView{}, Shape: shapeList, Query: []param{
					qOwnerID,
					{Name: "customer_id", Zh: "客户 id", En: "customer id"},
					{Name: "status", Zh: "状态", En: "status", Enum: needStatuses},
					{Name: "follow_up_overdue", Type: "boolean", Zh: "仅报价发出后未按时跟进的需求", En: "only needs whose sent quote was not followed up in time"},
				}}},
		{Pattern: "POST /api/v1/needs", Perm: access.ContractWrite, Handle: s.createNeed,
			Doc: op{Tag: "needs", Zh: "登记老客户新需求", En: "Record a need of an existing customer", Body: contracts.NeedInput{}, Resp: contracts.NeedDetail{},
				Status: http.StatusCreated, Desc: "客服专员只能为本人分管的客户登记；raised_on 默认今天。 A specialist records needs only for their own customers; raised_on defaults to today."}},
		{Pattern: "GET /api/v1/needs/{id}", Perm: access.ContractRead, Handle: s.getNeed,
			Doc: op{Tag: "needs", Zh: "需求详情（报价及明细、跟进记录）", En: "Get a need with its quotes, their lines and the follow-ups",
				Resp: contracts.NeedDetail{}, Desc: moneyNote}},
		{Pattern: "POST /api/v1/needs/{id}/quotes", Perm: access.ContractWrite, Handle: s.addQuote,
			Doc: op{Tag: "needs", Zh: "为需求添加报价（含明细行）", En: "Add a quote with its lines to a need", Body: contracts.QuoteInput{}, Resp: contracts.Quote{},
				Status: http.StatusCreated, Desc: moneyNote + " 每行金额 = quantity × unit_price_fen；send=true 即标记为已发送（或以 sent_at 补录实际发送时间），开始跟进计时。" +
					"需求变为 quoted；已关闭的需求不能再报价（409）。 Each line's amount is quantity × unit_price_fen. send=true marks the quote sent now " +
					"(or sent_at records when it really was); the follow-up clock starts. The need becomes quoted; a closed need takes no quotes (409)."}},
		// Attachments of contracts (scanned contract) and quotes (quotation file).
		{Pattern: "GET /api/v1/contracts/{id}/files", Perm: access.ContractRead, Handle: s.listContractFiles("contract"),
			Doc: op{Tag: "contracts", Zh: "合同附件（扫描件等）", En: "A contract's attachments (the scanned contract, …)", Resp: contracts.File{}, Shape: shapeList}},
		{Pattern: "POST /api/v1/contracts/{id}/files", Perm: access.ContractWrite, Handle: s.uploadContractFile("contract"),
			Doc: op{Tag: "contracts", Zh: "上传合同附件（PDF、图片、Office 文档）", En: "Upload a contract attachment (PDF, image, Office document)",
				Resp: contracts.File{}, Status: http.StatusCreated, Form: attachmentForm}},
		{Pattern: "GET /api/v1/quotes/{id}/files", Perm: access.ContractRead, Handle: s.listContractFiles("quote"),
			Doc: op{Tag: "needs", Zh: "报价附件（报价单文件）", En: "A quote's attachments (the quotation file)", Resp: contracts.File{}, Shape: shapeList}},
		{Pattern: "POST /api/v1/quotes/{id}/files", Perm: access.ContractWrite, Handle: s.uploadContractFile("quote"),
			Doc: op{Tag: "needs", Zh: "上传报价文件", En: "Upload a quotation file", Resp: contracts.File{}, Status: http.StatusCreated, Form: attachmentForm}},
		{Pattern: "GET /api/v1/contract-files/{id}", Perm: access.ContractRead, Handle: s.downloadContractFile,
			Doc: op{Tag: "contracts", Zh: "下载合同或报价附件", En: "Download a contract or quote attachment", Binary: true}},
		{Pattern: "POST /api/v1/quotes/{id}/send", Perm: access.ContractWrite, Handle: s.sendQuote,
			Doc: op{Tag: "needs", Zh: "标记报价已发送给客户", En: "Mark a quote sent to the customer", Resp: contracts.Quote{},
				Desc: "开始跟进计时（合同规则中的报价跟进工作日）；已发送的报价返回 409。 The follow-up clock starts (the policy's quote follow-up working days); a quote already sent is 409."}},
		{Pattern: "POST /api/v1/needs/{id}/follow-ups", Perm: access.ContractWrite, Handle: s.logFollowUp,
			Doc: op{Tag: "needs", Zh: "记录报价跟进", En: "Log a follow-up of a need's quote", Body: contracts.CommunicationInput{}, Resp: contracts.Communication{},
				Status: http.StatusCreated, Desc: "记为带 quote 标签的沟通记录。 Recorded as a communication tagged quote."}},
		{Pattern: "POST /api/v1/needs/{id}/close", Perm: access.ContractWrite, Handle: s.closeNeed,
			Doc: op{Tag: "needs", Zh: "关闭需求：成交（关联新合同）或未成交（说明原因）", En: "Close a need: won (with the new contract) or lost (with a reason)",
				Body: needClose{}, Resp: contracts.NeedDetail{},
				Desc: "outcome=won 须填写同一客户的 contract_id；outcome=lost 须填写 reason。 outcome won needs contract_id, a contract of the same customer; lost needs a reason. " + updateNote}},

		// Rates.
		{Pattern: "GET /api/v1/rates", Perm: access.ContractRead, Handle: s.rates,
			Doc: op{Tag: "rates", Zh: "续约率与回款率（按客服专员，含明细行）", En: "Renewal and collection rates per specialist, with the rows behind them",
				Resp: ratesReport{}, Query: []param{
					{Name: "month", Zh: "考核月 YYYY-MM（默认本月）", En: "the month, YYYY-MM (default this month)"},
					{Name: "as_of", Format: "date", Zh: "续签统计截至日期（默认今天）", En: "renewals signed up to this day count (default today)"},
					{Name: "specialist_id", Zh: "只看这位客服专员（空值为无分管客服的客户）", En: "only this specialist (empty: customers nobody owned)"},
				}, Desc: moneyNote + "\n\n" +
					"续约率 renewal：den = 当月到期（非草稿、未终止）的合同数，num = 其中在 as_of 前已签订续约合同的数量；rows 为这些合同，renewed 与 successor_* 为续约合同。" +
					"回款率 collection：den = 截至月末到期、月初仍未付清的分期的月初未收合计（open_at_start_fen 之和），num = 当月收到并冲抵这些分期的金额（collected_fen 之和，不超过月初未收）；" +
					"rows 为这些分期，carried_in 表示逾期结转（到期日早于当月），payments 为当月的冲抵。按到期当天的分管客服归属。" +
					"比率：percent 为百分比，两位小数、四舍五入、最高 100.00%；nothing_due=true（den 为 0，本月无到期）时按 100% 计。客服专员只看到本人的指标。\n\n" +
					"Renewal: den counts the contracts ending in the month (neither drafts nor terminated), num those renewed by a successor signed by as_of; " +
					"the rows are those contracts, with renewed and successor_*. Collection: den is what the installments due by the month's end still owed at its start " +
					"(the sum of open_at_start_fen), num what was received against them in the month (the sum of collected_fen, capped at what was open); " +
					"the rows are those installments, carried_in when due before the month, with the month's allocations as payments. Each row counts for " +
					"whoever owned the customer on the due day. percent is the rate with two decimals, rounded half up and capped at 100.00%; nothing_due " +
					"(den 0) counts as 100%. A specialist sees only their own rates."}},

		// Orphan customers.
		// Communication records (沟通记录).
		{Pattern: "POST /api/v1/communications", Perm: access.CommIngest, Handle: s.ingestCommunications,
			Doc: op{Tag: "communications", Zh: "接收沟通记录（单条或批量，按外部编号幂等）", En: "Ingest communication records (one or a batch, idempotent on the external id)",
				Body: ingestRecord{}, Resp: ingestResponse{}, Status: http.StatusCreated,
				Desc: "请求体可以是一条记录，也可以是记录数组（一次最多 10000 条）。每条记录必须带外部编号（external_id），缺少时返回 400，字段为 external_id（批量时为 records[序号].external_id）；重试时据此去重，同一外部编号内容相同则为 unchanged，内容不同则拒绝并指出该编号（单条为 409，同一批中出现两次且内容不同亦拒绝）；任一条有错则整批不保存，返回 400 并在 errors 中列出每条的序号、字段和原因。occurred_at 为 RFC 3339；不带时区的时间（2026-03-05 10:00:05）按公司时区理解。电话号码、微信号或微信群匹配不到客户的记录照样保存，待以后匹配。没有新记录时返回 200。 " +
					"The body is one record or an array of records (at most 10,000). Every record must carry its external_id: without one it is 400 on external_id (records[index].external_id in a batch). A retry is safe: the same external_id with the same content is 'unchanged'; with other content it is refused naming the id (409 for one record; the same id twice in a batch with different content is refused too). One bad record refuses the whole batch: 400 with every record's index, field and reason in errors. occurred_at is RFC 3339; a time without a zone (2026-03-05 10:00:05) is read in the company's time zone. Records whose phone number, WeChat id or group matches no customer are kept for matching later. 200 when nothing was new."}},
		{Pattern: "POST /api/v1/communications/log", Perm: access.CommWrite, Handle: s.logCommunication,
			Doc: op{Tag: "communications", Zh: "登记一条沟通记录（本人，分管客户）", En: "Log one communication record (one's own, for a customer one owns)",
				Body: comms.Input{}, Resp: comms.Record{}, Status: http.StatusCreated}},
		{Pattern: "GET /api/v1/communications", Perm: access.CommRead, Handle: s.listCommunications,
			Doc: op{Tag: "communications", Zh: "沟通记录（按时间倒序）", En: "Communication records, newest first", Resp: comms.View{}, Shape: shapePage, Query: []param{
				{Name: "customer_id", Zh: "客户 id", En: "customer id"}, {Name: "staff_id", Zh: "员工 id", En: "staff id"},
				{Name: "channel", Zh: "渠道", En: "channel", Enum: comms.Channels}, {Name: "conversation", Zh: "会话（微信群、号码）", En: "conversation (WeChat group, number)"},
				{Name: "tag", Zh: "标签", En: "tag"}, {Name: "unmatched", Type: "boolean", Zh: "只看未匹配客户的记录", En: "only records matching no customer"},
				{Name: "from", Format: "date-time", Zh: "起（含）", En: "from (inclusive)"}, {Name: "to", Format: "date-time", Zh: "止（不含）", En: "to (exclusive)"},
				qAfter, qLimit(100, 500)}}},
		{Pattern: "GET /api/v1/communications/{id}", Perm: access.CommRead, Handle: s.getCommunication,
			Doc: op{Tag: "communications", Zh: "一条沟通记录", En: "One communication record", Resp: comms.Record{}}},
		{Pattern: "POST /api/v1/imports/communications", Perm: access.CommIngest, Handle: s.importCommunications,
			Doc: op{Tag: "communications", Zh: "导入话单或微信聊天记录（XLSX/CSV，UTF-8 或 GBK）", En: "Import a PBX call log or a WeChat chat export (XLSX/CSV, UTF-8 or GBK)",
				Resp: commImportResult{}, Form: []param{
					{Name: "file", Type: "file", Required: true, Zh: "文件", En: "the file"},
					{Name: "kind", Enum: []string{comms.FilePBX, comms.FileWeChat}, Zh: "文件类型（来源已记住时可省略）", En: "kind of file (may be left out for a known source)"},
					{Name: "source", Zh: "来源名称，如 总机话单；其列对应关系会被记住", En: "source name, e.g. the switchboard; its column mapping is remembered"},
					{Name: "mapping", Zh: "列对应 JSON {\"表头\":\"列名\"}", En: "column mapping JSON {\"header\":\"column key\"}"},
					{Name: "mode", Enum: []string{"reject", "skip"}, Zh: "有错误行时：reject 整个文件不导入，skip 跳过错误行", En: "with bad rows: reject the file, or skip them"},
					{Name: "dry_run", Type: "boolean", Zh: "只预览不保存", En: "preview only"},
				},
				Desc: "每行按内容生成外部编号，再次导入同一文件不会重复；未接来电（呼入未接通）开始 30 分钟回拨计时；不带时区的时间按公司时区。 Each row gets an external id from its content, so importing a file again creates nothing; an unanswered inbound call is a missed call and starts its 30-minute clock; times without a zone are read in the company's zone."}},
		{Pattern: "GET /api/v1/imports/communications/template/{kind}", Perm: access.CommIngest, Handle: s.commImportTemplate,
			Doc: op{Tag: "communications", Zh: "话单或聊天记录导入模板（XLSX，含示例行）", En: "The call-log or chat-export template (XLSX, with example rows)", XLSX: true}},
		{Pattern: "POST /api/v1/imports/communications/{key}/apply", Perm: access.CommIngest, Handle: s.applyCommImport,
			Doc: op{Tag: "communications", Zh: "导入已暂存（预览过）的话单或聊天记录", En: "Apply a staged (dry-run) communication import", Body: commImportApply{}, Resp: commImportResult{}}},
		{Pattern: "GET /api/v1/communications/export", Perm: access.CommRead, Handle: s.exportCommunications,
			Doc: op{Tag: "communications", Zh: "导出沟通记录（XLSX，筛选同列表）", En: "Export communication records (XLSX, the list's filters)", XLSX: true,
				Query: []param{{Name: "customer_id", Zh: "客户 id", En: "customer id"}, {Name: "staff_id", Zh: "员工 id", En: "staff id"},
					{Name: "channel", Zh: "渠道", En: "channel", Enum: comms.Channels}, {Name: "tag", Zh: "标签", En: "tag"},
					{Name: "unmatched", Type: "boolean", Zh: "只看未匹配客户的记录", En: "only records matching no customer"},
					{Name: "from", Format: "date-time", Zh: "起（含）", En: "from (inclusive)"}, {Name: "to", Format: "date-time", Zh: "止（不含）", En: "to (exclusive)"}}}},
		{Pattern: "GET /api/v1/reports/satisfaction", Perm: access.CommRead, Handle: s.satisfaction,
			Doc: op{Tag: "tickets", Zh: "客户满意度汇总表（按客服、区域、客户等级）", En: "Monthly satisfaction summary (by specialist, region, customer class)",
				Resp: tickets.SatisfactionSummary{}, Query: []param{{Name: "month", Zh: "月份 YYYY-MM（默认本月）", En: "month YYYY-MM (default this month)"}},
				Desc: "按当月完成且打分的回访统计；surveys 为当月登记的满意度调查（总体满意度）按同样维度的统计。平均分按整数运算四舍五入到两位小数。 " +
					"From the callbacks done in the month with a score; surveys is the same table for the survey responses of the month (their overall score). Averages are rounded half up to two decimals in integer arithmetic."}},
		{Pattern: "GET /api/v1/reports/satisfaction/export", Perm: access.CommRead, Handle: s.exportSatisfaction,
			Doc: op{Tag: "tickets", Zh: "导出客户满意度汇总表（XLSX）", En: "Export the satisfaction summary (XLSX)", XLSX: true,
				Query: []param{{Name: "month", Zh: "月份 YYYY-MM（默认本月）", En: "month YYYY-MM (default this month)"}}}},
		{Pattern: "GET /api/v1/queue", Perm: access.CommRead, Handle: s.queue,
			Doc: op{Tag: "communications", Zh: "待响应队列（未回复的微信、待回拨的未接来电）", En: "The live queue (unanswered WeChat, missed calls waiting for a call back)",
				Resp: comms.QueueItem{}, Shape: shapeList, Query: []param{{Name: "staff_id", Zh: "只看某人（经理）", En: "one person's (managers)"}},
				Desc: "按期限排序；seconds_left 为距期限的秒数（超时为负）。专员只看自己的和未匹配的。 Soonest deadline first; seconds_left is the time to the deadline (negative when breached). A specialist sees their own and unmatched ones."}},
		{Pattern: "GET /api/v1/reports/no-contact", Perm: access.CommRead, Handle: s.noContact,
			Doc: op{Tag: "communications", Zh: "当月无沟通记录的客户", En: "Customers with no contact in a month", Resp: comms.NoContact{}, Shape: shapeList,
				Query: []param{{Name: "month", Zh: "月份 YYYY-MM（默认本月）", En: "month YYYY-MM (default this month)"}, qOwnerID}}},
		{Pattern: "GET /api/v1/settings/response-policy", Perm: access.CommRead, Handle: s.commsPolicy,
			Doc: op{Tag: "communications", Zh: "响应时限（微信、未接来电、在线咨询）", En: "Response targets (WeChat, missed calls, online chat)", Resp: comms.Policy{}}},
		{Pattern: "PUT /api/v1/settings/response-policy", Perm: access.DeskManage, Handle: s.saveCommsPolicy,
			Doc: op{Tag: "communications", Zh: "修改响应时限", En: "Change the response targets", Body: comms.Policy{}, Resp: comms.Policy{}}},
		{Pattern: "POST /api/v1/communications/{id}/unregistered", Perm: access.DeskManage, Handle: s.flagUnregistered,
			Doc: op{Tag: "communications", Zh: "标记相关事项未登记（考核事件）", En: "Flag a request that was never registered (an appraisal event)", Body: reasonBody{}, Status: http.StatusNoContent,
				Desc: "记录须已匹配客户且未关联工单；事件记在记录发生时的分管客服名下，以该记录为证据。 The record must be matched to a customer and not linked to a ticket; the event goes to the customer's owning specialist at the record's time, with the record as evidence."}},
		{Pattern: "DELETE /api/v1/communications/{id}/unregistered", Perm: access.DeskManage, Handle: s.unflagUnregistered,
			Doc: op{Tag: "communications", Zh: "撤销未登记标记（事件撤回并记录原因）", En: "Withdraw the flag (the event is withdrawn with the reason)", Body: reasonBody{}, BodyOptional: true,
				Query: []param{{Name: "reason", Zh: "撤销原因（也可放在请求体）", En: "reason (or in the body)"}}, Status: http.StatusNoContent}},
		{Pattern: "POST /api/v1/communications/{id}/match", Perm: access.CommWrite, Handle: s.matchCommunication,
			Doc: op{Tag: "communications", Zh: "把未匹配的记录匹配到客户", En: "Match an unmatched record to a customer", Body: matchInput{}, Resp: comms.Record{},
				Desc: "匹配后按客户重新计算该记录前后的响应时钟：记录引起的超时事件记在分管客服名下。 The customer's response clocks around the record are derived again: a breach the record started becomes the owning specialist's."}},
		{Pattern: "GET /api/v1/communications/{id}/files", Perm: access.CommRead, Handle: s.listCommunicationFiles,
			Doc: op{Tag: "communications", Zh: "沟通记录的附件", En: "A communication record's attachments", Resp: comms.File{}, Shape: shapeList}},
		{Pattern: "POST /api/v1/communications/{id}/files", Perm: access.CommWrite, Handle: s.uploadCommunicationFile,
			Doc: op{Tag: "communications", Zh: "上传沟通记录附件（截图、照片、PDF、Office 文档、文本）", En: "Upload an attachment of a communication record (screenshot, photo, PDF, Office document, text)",
				Resp: comms.File{}, Status: http.StatusCreated, Form: commFileForm,
				Desc: "客服经理可为任何记录上传；客服专员为自己分管客户的记录，以及未匹配客户、由本人登记或记在本人名下的记录。文件类型按内容识别。 " +
					"Managers may attach to any record; a specialist to the records of the customers they own, and to unmatched records they made or that name them. The type is read from the bytes."}},
		{Pattern: "GET /api/v1/communication-files/{id}", Perm: access.CommRead, Handle: s.downloadCommunicationFile,
			Doc: op{Tag: "communications", Zh: "下载沟通记录附件", En: "Download a communication record's attachment", Binary: true}},

		// Tickets (工单).
		{Pattern: "GET /api/v1/tickets/export", Perm: access.CommRead, Handle: s.exportTickets,
			Doc: op{Tag: "tickets", Zh: "导出工单（XLSX，筛选同列表，最多 10000 条）", En: "Export tickets (XLSX, the list's filters, at most 10,000)", XLSX: true,
				Query: []param{{Name: "status", Zh: "状态", En: "status", Enum: tickets.Statuses}, {Name: "type", Zh: "类型", En: "type", Enum: tickets.Types},
					{Name: "customer_id", Zh: "客户 id", En: "customer id"}, {Name: "staff_id", Zh: "员工 id", En: "staff id"},
					{Name: "open", Type: "boolean", Zh: "只看未结", En: "open only"}, {Name: "incomplete", Type: "boolean", Zh: "只看登记不全", En: "incomplete only"},
					{Name: "q", Zh: "搜索", En: "search"}, {Name: "from", Zh: "受理起（日期或时间）", En: "received from (date or time)"}, {Name: "to", Zh: "受理止", En: "received to"}}}},
		{Pattern: "GET /api/v1/tickets", Perm: access.CommRead, Handle: s.listTickets,
			Doc: op{Tag: "tickets", Zh: "工单列表（open=true 时紧急与期限早的在前，否则新到旧）", En: "List tickets (with open=true urgent and earliest deadline first, else newest first)",
				Resp: tickets.View{}, Shape: shapeList, Desc: "limit/offset 分页。客服专员在不可查看全部客户时只看到本人分管客户、本人首问或被指派的工单。 " +
					"Paged with limit and offset. A specialist without read-all sees only the tickets of their own customers and those they are first-contact owner or assignee of.",
				Query: []param{
					{Name: "status", Zh: "状态", En: "status", Enum: tickets.Statuses},
					{Name: "type", Zh: "类型", En: "type", Enum: tickets.Types},
					{Name: "customer_id", Zh: "客户 id", En: "customer id"},
					{Name: "staff_id", Zh: "员工 id：其首问、被指派或分管客户的工单", En: "staff id: tickets they are first-contact owner or assignee of, or whose customer they own"},
					{Name: "open", Type: "boolean", Zh: "仅未解决（非 resolved、callback_done、closed）", En: "only open tickets (not resolved, callback_done or closed)"},
					{Name: "incomplete", Type: "boolean", Zh: "仅登记不全", En: "only incomplete registrations (登记不全)"},
					{Name: "q", Zh: "工单号、描述、客户名称或来电号码包含", En: "number, description, customer name or caller contains"},
					{Name: "from", Zh: "受理时间起：日期 YYYY-MM-DD（公司时区）或 RFC 3339 时间", En: "received from: a date (company time zone) or an RFC 3339 time"},
					{Name: "to", Zh: "受理时间止：日期（含当天）或 RFC 3339 时间（不含）", En: "received to: a date (inclusive) or an RFC 3339 time (exclusive)"},
					qLimit(100, 500),
					{Name: "offset", Type: "integer", Zh: "跳过的条数", En: "rows to skip", Default: 0, Min: 0, Max: 1_000_000},
				}}},
		{Pattern: "POST /api/v1/tickets", Perm: access.CommWrite, Handle: s.createTicket,
			Doc: op{Tag: "tickets", Zh: "登记工单", En: "Register a ticket", Body: tickets.TicketInput{}, Resp: ticketDetail{}, Status: http.StatusCreated,
				Desc: "登记人为首问责任人（只有客服经理可指定他人）。缺少该类型登记要素的工单照样保存，incomplete=true，missing 列出缺少的字段（登记不全）；投诉工单同时建立投诉信息。 " +
					"The caller becomes the first-contact owner (only managers name another). A ticket lacking its type's registration fields is saved with " +
					"incomplete=true and the missing fields in missing; a complaint ticket gets its complaint part.\n\n" + ticketTimeNote}},
		{Pattern: "GET /api/v1/tickets/{id}", Perm: access.CommRead, Handle: s.getTicket,
			Doc: op{Tag: "tickets", Zh: "工单详情（状态变更、升级、投诉、回访、关联沟通记录、考核事件）", En: "Get a ticket with its transitions, escalations, complaint, callbacks, linked communication records and appraisal events",
				Resp: ticketDetail{}, Desc: "allowed_next 为现在可转为的状态；can_work 表示调用者可否处理该工单；events 为以该工单为证据的考核事件（合理的服务态度投诉），撤销的带 withdrawn_at。 " +
					"allowed_next lists the states the ticket may move to now; can_work tells whether the caller may change it; events are the appraisal " +
					"events citing the ticket (justified attitude complaints), withdrawn ones with withdrawn_at."}},
		{Pattern: "PUT /api/v1/tickets/{id}", Perm: access.CommWrite, Handle: s.updateTicket,
			Doc: op{Tag: "tickets", Zh: "修改工单登记信息", En: "Update a ticket's registration", Body: ticketUpdate{}, Resp: ticketDetail{},
				Desc: updateNote + " 重新计算登记是否齐全；类型只能在 new、acknowledged 时修改；更换首问责任人须客服经理；已关闭的工单须先重新打开。 " +
					"Completeness is computed again; the type changes only while new or acknowledged; only managers change the first-contact owner; " +
					"a closed ticket is reopened first.\n\n" + ticketTimeNote}},
		{Pattern: "POST /api/v1/tickets/{id}/transitions", Perm: access.CommWrite, Handle: s.transitionTicket,
			Doc: op{Tag: "tickets", Zh: "工单状态变更", En: "Move a ticket to another status", Body: transitionInput{}, Resp: ticketDetail{},
				Desc: "new → acknowledged → in_progress ⇄ dispatched → resolved → callback_done → closed。不允许的变更返回 400（field=to），message 列出当前可转为的状态（详情的 allowed_next 同）。" +
					"报修与投诉 resolved 时生成回访，登记回访（POST /callbacks/{id}）后自动转为 callback_done；其他类型从 resolved 直接 closed。" +
					"投诉关闭前须判定是否合理并记录问题原因、责任和纠正措施（三不放过），否则返回 400（field=complaint）。从 resolved、callback_done、closed 转回 in_progress 即重新打开，须填写 note。 " +
					"A forbidden move is 400 (field to) with a message naming the allowed next states (as allowed_next of the ticket does). Resolving a repair or " +
					"complaint makes its callback due; recording the callback (POST /callbacks/{id}) moves it to callback_done; other types close straight from " +
					"resolved. A complaint closes only when judged and with root cause, responsibility and corrective action (三不放过), else 400 (field complaint). " +
					"Moving a resolved, called-back or closed ticket to in_progress reopens it and needs a note.\n\n" + ticketTimeNote}},
		{Pattern: "POST /api/v1/tickets/{id}/reopen", Perm: access.CommWrite, Handle: s.reopenTicket,
			Doc: op{Tag: "tickets", Zh: "重新打开工单（须说明原因）", En: "Reopen a ticket (with a reason)", Body: reopenInput{}, Resp: ticketDetail{},
				Desc: "已解决、已回访或已关闭的工单转回 in_progress；未完成的回访随之取消。其他状态返回 400（field=status）。 " +
					"A resolved, called-back or closed ticket goes back to in_progress and its pending callback is cancelled; any other status is 400 (field status).\n\n" + ticketTimeNote}},
		{Pattern: "POST /api/v1/tickets/{id}/pause", Perm: access.CommWrite, Handle: s.pauseTicket,
			Doc: op{Tag: "tickets", Zh: "等待客户：暂停解决时限（须说明原因）", En: "Waiting on the customer: pause the solution clock (with a reason)", Body: pauseInput{}, Resp: ticketDetail{},
				Desc: "只限未解决的工单；暂停期间解决期限不计时，恢复时按工单的 SLA 规则（24 小时或工作时间）顺延；首次响应期限不暂停。 Open tickets only; while paused the solution deadline does not run, and resuming moves it by the paused time on the ticket's SLA clock (24x7 or working time). The first-response deadline is never paused."}},
		{Pattern: "POST /api/v1/tickets/{id}/resume", Perm: access.CommWrite, Handle: s.resumeTicket,
			Doc: op{Tag: "tickets", Zh: "恢复计时", En: "Resume the solution clock", Body: versionInput{}, Resp: ticketDetail{}}},
		{Pattern: "POST /api/v1/tickets/{id}/escalations", Perm: access.CommWrite, Handle: s.escalateTicket,
			Doc: op{Tag: "tickets", Zh: "问题升级（客服专员 → 技术专员 → 技术部门）", En: "Escalate a ticket (specialist → technical specialist → technical department)",
				Body: escalationInput{}, Resp: ticketDetail{},
				Desc: "只能升级未解决的工单，每次升一级：to_level 须为下一级；to_staff_id（人员）或 to_text（如部门名称）至少填一项。首问责任人不变。 " +
					"Only open tickets, one level at a time: to_level must be the next level; name a person (to_staff_id) or a department (to_text). " +
					"The first-contact owner stays accountable."}},
		{Pattern: "POST /api/v1/tickets/{id}/communications", Perm: access.CommWrite, Handle: s.linkTicketCommunication,
			Doc: op{Tag: "tickets", Zh: "关联同一客户的沟通记录", En: "Link a communication record of the same customer", Body: ticketLink{}, Resp: ticketDetail{},
				Desc: "已关联其他工单的记录返回 409。 A record linked to another ticket is 409."}},
		{Pattern: "DELETE /api/v1/tickets/{id}/communications/{comm}", Perm: access.CommWrite, Handle: s.unlinkTicketCommunication,
			Doc: op{Tag: "tickets", Zh: "取消关联沟通记录", En: "Unlink a communication record", Status: http.StatusNoContent}},
		{Pattern: "PUT /api/v1/tickets/{id}/complaint", Perm: access.CommWrite, Handle: s.saveComplaint,
			Doc: op{Tag: "complaints", Zh: "记录投诉信息（性质、对象、严重程度、是否合理、三不放过）", En: "Record a complaint (nature, against whom, severity, judgement, the three nots)",
				Body: complaintUpdate{}, Resp: ticketDetail{},
				Desc: "version 为工单的版本；省略的字段保持原值。是否合理（justified）由客服经理判定，不能判定针对自己的投诉。" +
					"合理的服务态度投诉（nature=attitude、justified=yes、against_staff_id）为该员工生成考核事件 attitude_complaint，改判后撤销（reason 为原因）。" +
					"改为重大（severity=major）即升级给客服经理，reply_due_at 为 1 个工作日（按规则）内回复的期限。 " +
					"version is the ticket's; fields left out keep their values. Only a manager judges (justified), never a complaint about themselves. A justified " +
					"attitude complaint against a staff member adds an attitude_complaint appraisal event for that person, withdrawn (with reason) when judged " +
					"otherwise. Becoming major escalates it to the manager with reply_due_at, the policy's working days from receipt."}},
		{Pattern: "POST /api/v1/tickets/{id}/complaint/reply", Perm: access.DeskManage, Handle: s.replyComplaint,
			Doc: op{Tag: "complaints", Zh: "客服经理回复重大投诉", En: "The manager's reply to a major complaint", Body: complaintReply{}, Resp: ticketDetail{},
				Desc: "只对重大投诉；已回复返回 409。version 为工单的版本。 Major complaints only; a second reply is 409. version is the ticket's."}},
		{Pattern: "GET /api/v1/complaints/analysis", Perm: access.DeskManage, Handle: s.complaintAnalysis,
			Doc: op{Tag: "complaints", Zh: "季度投诉分析（按性质、区域、被投诉人）", En: "Quarterly complaint analysis (by nature, region and person)", Resp: tickets.ComplaintAnalysis{},
				Query: []param{{Name: "quarter", Zh: "季度，如 2026Q1（默认本季度）", En: "quarter such as 2026Q1 (default this quarter)"}}}},

		// Callbacks (回访).
		{Pattern: "GET /api/v1/callbacks", Perm: access.CommRead, Handle: s.listCallbacks,
			Doc: op{Tag: "callbacks", Zh: "回访列表（按期限排序）", En: "Callbacks, by deadline", Resp: tickets.CallbackView{}, Shape: shapeList,
				Desc: "报修解决后 3 个工作日内、投诉解决后 2 天内回访（按规则）。客服专员在不可查看全部客户时只看到本人负责的回访。 " +
					"A resolved repair is called back within 3 working days, a complaint within 2 days (the policy's). A specialist without read-all sees only the callbacks charged to them.",
				Query: []param{
					{Name: "staff_id", Zh: "负责回访的员工 id", En: "the staff member charged"},
					{Name: "open", Type: "boolean", Zh: "仅未完成（未登记且未取消）", En: "only open ones (neither done nor cancelled)"},
					{Name: "due_to", Zh: "期限不晚于：日期 YYYY-MM-DD（含当天）或 RFC 3339 时间（之前）", En: "due by: a date (its deadline included) or before an RFC 3339 time"},
					qLimit(100, 500),
				}}},
		{Pattern: "POST /api/v1/callbacks/{id}", Perm: access.CommWrite, Handle: s.recordCallback,
			Doc: op{Tag: "callbacks", Zh: "登记回访结果（满意度 1–5）", En: "Record a callback (satisfaction 1–5)", Body: callbackRecord{}, Resp: tickets.Callback{},
				Desc: "version 为回访的版本。已解决的工单随之转为 callback_done。at 默认现在，不早于解决时间。 " +
					"version is the callback's. A resolved ticket moves to callback_done. at defaults to now and is not before the resolution.\n\n" + ticketTimeNote}},
		{Pattern: "GET /api/v1/callbacks/rates", Perm: access.CommRead, Handle: s.callbackRates,
			Doc: op{Tag: "callbacks", Zh: "回访率（按负责员工）", En: "Callback rates per staff member charged", Resp: callbackRates{},
				Desc: "回访按最后期限所在日计入月份；期限已过或已登记的计入 den，按期登记的计入 num；late 为逾期登记，missed 为逾期未登记，pending 为本月尚未到期。客服专员只看到本人的回访率。 " +
					"A callback counts in the month of its last allowed day; it is due (den) once its deadline passed or it was done, done on time (num) when " +
					"recorded by the deadline; late ones were recorded after it, missed ones not at all; pending ones are not due yet. A specialist sees only their own.",
				Query: []param{{Name: "month", Zh: "月份 YYYY-MM（默认本月）", En: "month YYYY-MM (default this month)"}}}},

		// The manager's quarterly re-call sample.
		{Pattern: "POST /api/v1/resamples/{quarter}", Perm: access.DeskManage, Handle: s.generateResample,
			Doc: op{Tag: "callbacks", Zh: "生成季度回访抽查样本（经理）", En: "Draw the quarter's re-call sample (manager)", Resp: tickets.ResampleSet{},
				Desc: "按规则比例（默认 20%）从该季度已完成的回访中抽取，样本可复现；已生成的样本保持不变并原样返回。 " +
					"Draws the policy's share (default 20%) of the callbacks done in the quarter, reproducibly; once drawn the sample stands and is returned as it is."}},
		{Pattern: "GET /api/v1/resamples/{quarter}", Perm: access.DeskManage, Handle: s.getResample,
			Doc: op{Tag: "callbacks", Zh: "季度回访抽查样本及进度", En: "The quarter's re-call sample and its progress", Resp: tickets.ResampleSet{}}},
		{Pattern: "POST /api/v1/resamples/items/{id}", Perm: access.DeskManage, Handle: s.recordResample,
			Doc: op{Tag: "callbacks", Zh: "登记经理抽查回访结果", En: "Record the manager's re-call", Body: resampleRecord{}, Resp: tickets.Resample{},
				Desc: "version 为样本条目的版本。 version is the sample item's.\n\n" + ticketTimeNote}},

		{Pattern: "GET /api/v1/settings/tickets-policy", Perm: access.CommRead, Handle: s.ticketsPolicy,
			Doc: op{Tag: "callbacks", Zh: "工单与回访规则（回访期限、重大投诉回复期限、抽查比例）", En: "Tickets policy: callback deadlines, major-complaint reply, re-call share",
				Resp: tickets.Policy{}}},
		{Pattern: "PUT /api/v1/settings/tickets-policy", Perm: access.DeskManage, Handle: s.saveTicketsPolicy,
			Doc: op{Tag: "callbacks", Zh: "修改工单与回访规则（客服经理、管理员）", En: "Change the tickets policy (managers and admins)", Body: ticketsPolicyInput{}, Resp: tickets.Policy{},
				Desc: "省略的字段保持原值；已生成的回访保持原期限。 Fields left out keep their stored values; callbacks already due keep their deadline."}},

		// Satisfaction surveys by plan (满意度调查).
		{Pattern: "GET /api/v1/survey-plans", Perm: access.CommRead, Handle: s.listSurveyPlans,
			Doc: op{Tag: "surveys", Zh: "满意度调查计划（新到旧）", En: "Satisfaction survey plans, newest first", Resp: surveys.PlanView{}, Shape: shapeList,
				Query: []param{{Name: "status", Zh: "状态：draft 草稿、open 已下发、closed 已结束", En: "status", Enum: surveys.Statuses}, qLimit(100, 500)}}},
		{Pattern: "POST /api/v1/survey-plans", Perm: access.DeskManage, Handle: s.createSurveyPlan,
			Doc: op{Tag: "surveys", Zh: "新建调查计划（草稿，客服经理）", En: "Create a survey plan (a draft; managers)", Body: surveys.PlanInput{}, Resp: surveys.PlanDetail{},
				Status: http.StatusCreated, Desc: surveyPlanNote}},
		{Pattern: "GET /api/v1/survey-plans/{id}", Perm: access.CommRead, Handle: s.getSurveyPlan,
			Doc: op{Tag: "surveys", Zh: "调查计划详情：问题、各客服完成率、逾期任务、各题平均分、按客服/区域/客户等级的结果、低分（≤2）", En: "A survey plan with its questions, completion per specialist, overdue tasks, average per question, results by specialist, region and class, and the low scores (≤2)",
				Resp: surveys.PlanDetail{}, Desc: "完成率为已登记（含无法联系、拒绝）/ 任务数，精确计算，百分比四舍五入到两位小数；平均分按整数运算。 " +
					"Completion is recorded responses (unreachable and refused included) over tasks, exact, the percentage rounded half up to two decimals; averages in integer arithmetic."}},
		{Pattern: "PUT /api/v1/survey-plans/{id}", Perm: access.DeskManage, Handle: s.updateSurveyPlan,
			Doc: op{Tag: "surveys", Zh: "修改调查计划（仅草稿）", En: "Change a survey plan (drafts only)", Body: surveyPlanUpdate{}, Resp: surveys.PlanDetail{},
				Desc: "整体替换（包括问题）；已下发的计划返回 409。 Replaces the whole plan, questions included; an issued plan is 409. " + surveyPlanNote}},
		{Pattern: "POST /api/v1/survey-plans/{id}/issue", Perm: access.DeskManage, Handle: s.issueSurveyPlan,
			Doc: op{Tag: "surveys", Zh: "下发调查计划：为范围内每位在用客户生成调查任务", En: "Issue a survey plan: one task per active customer in scope", Body: surveyPlanStep{}, Resp: surveys.PlanDetail{},
				Desc: "任务分配给下发时客户的分管客服；范围内没有客户返回 400（field=scope）。 Each task goes to the customer's owning specialist at this moment; a scope without customers is 400 (field scope)."}},
		{Pattern: "POST /api/v1/survey-plans/{id}/close", Perm: access.DeskManage, Handle: s.closeSurveyPlan,
			Doc: op{Tag: "surveys", Zh: "结束调查计划（之后不能再登记）", En: "Close a survey plan (no more responses)", Body: surveyPlanStep{}, Resp: surveys.PlanDetail{}}},
		{Pattern: "GET /api/v1/survey-plans/{id}/export", Perm: access.CommRead, Handle: s.exportSurveyPlan,
			Doc: op{Tag: "surveys", Zh: "导出调查结果明细（XLSX）", En: "Export a plan's responses (XLSX)", XLSX: true}},
		{Pattern: "GET /api/v1/survey-tasks", Perm: access.CommRead, Handle: s.listSurveyTasks,
			Doc: op{Tag: "surveys", Zh: "调查任务（按截止日期）", En: "Survey tasks, by due date", Resp: surveys.TaskView{}, Shape: shapeList,
				Desc: "客服专员默认只看分配给自己的任务。逾期：计划已下发、已过截止日期且未登记。 A specialist sees the tasks assigned to them by default. Overdue: an open plan past its due date without a response.",
				Query: []param{
					{Name: "plan_id", Zh: "调查计划 id", En: "survey plan id"},
					{Name: "staff_id", Zh: "负责的客服 id（客服专员默认自己；传空值查看全部）", En: "the specialist assigned (a specialist defaults to themself; pass it empty for all)"},
					{Name: "state", Zh: "pending 未登记、overdue 逾期、done 已登记", En: "pending, overdue or done", Enum: surveys.TaskStates},
					{Name: "open_plans", Type: "boolean", Zh: "仅已下发未结束的计划", En: "only plans issued and not closed"},
					qLimit(500, 1000),
				}}},
		{Pattern: "GET /api/v1/survey-tasks/{id}", Perm: access.CommRead, Handle: s.getSurveyTask,
			Doc: op{Tag: "surveys", Zh: "调查任务详情（问题与答案）", En: "A survey task with its questions and answers", Resp: surveys.TaskDetail{}}},
		{Pattern: "POST /api/v1/survey-tasks/{id}/response", Perm: access.CommWrite, Handle: s.recordSurveyResponse,
			Doc: op{Tag: "surveys", Zh: "登记调查结果（客服专员登记自己的任务，经理可登记任何任务）", En: "Record a survey response (a specialist their own tasks, managers any)",
				Body: surveyResponse{}, Resp: surveys.TaskDetail{}, Desc: "version 为任务的版本。answered 须填写受访人并为每个打分题打 1–5 分；unreachable、refused 须填写 note。" +
					"同时生成一条标记 satisfaction 的沟通记录（communication_id）。at 默认现在，不早于计划下发时间。 " +
					"version is the task's. answered needs contact_name and a score 1–5 for every score question; unreachable and refused need a note. " +
					"A communication record tagged satisfaction is stored with it (communication_id). at defaults to now and is not before the plan was issued.\n\n" + ticketTimeNote}},
		{Pattern: "POST /api/v1/survey-reminders/run", Perm: access.DeskManage, Handle: s.runSurveyReminders,
			Doc: op{Tag: "surveys", Zh: "立即生成满意度调查提醒（客服经理、管理员）", En: "Run the survey reminders now (managers and admins)", Resp: surveys.ReminderCounts{},
				Desc: "截止前 3 天内和逾期后，各提醒一次仍有未完成任务的客服（每个计划每人各一次）；返回本次新增的数量。系统每 10 分钟自动运行。 " +
					"Reminds each specialist with open tasks once when the due date is 3 days away or less and once when it has passed (per plan); the counts are the new ones. It also runs every 10 minutes."}},

		{Pattern: "GET /api/v1/orphans", Perm: access.CustomerAssign, Handle: s.orphans,
			Doc: op{Tag: "customers", Zh: "孤儿客户（销售负责人已离职）及其在执行合同与欠款", En: "Orphan customers (sales owner left) with their running contracts and money owed",
				Resp: contracts.OrphanCustomer{}, Shape: shapeList,
				Desc: moneyNote + " 按最近的合同结束日期排序，无在执行合同的在后；供客服经理分配。 Soonest contract end first (those without running contracts last), for the manager to assign."}},

		// Contract and payment imports.
		{Pattern: "POST /api/v1/imports/contracts", Perm: access.ContractImport, Handle: s.importContracts,
			Doc: op{Tag: "import", Zh: "导入合同（XLSX/CSV；每行一条服务内容和/或一期付款，同一合同编号多行）", En: "Import contracts (XLSX/CSV; one scope line and/or installment per row, several rows per contract number)",
				Resp: importResult{}, Form: contractImportForm("合同", "contracts"), Desc: contractImportNote +
					" 按合同编号匹配：已存在且客户、期间、金额相同为 unchanged，不同则为该行错误。 Contracts match by number: an existing one with the same customer, period and amount is unchanged, a differing one is a row error."}},
		{Pattern: "POST /api/v1/imports/contracts/{key}/apply", Perm: access.ContractImport, Handle: s.applyContractImport,
			Doc: op{Tag: "import", Zh: "导入已暂存（预览过）的合同文件", En: "Apply a staged (dry-run) contract import", Body: contractImportApply{}, Resp: importResult{}}},
		{Pattern: "POST /api/v1/imports/payments", Perm: access.FinanceWrite, Handle: s.importPayments,
			Doc: op{Tag: "import", Zh: "导入回款（XLSX/CSV，财务）", En: "Import payments received (XLSX/CSV, finance)",
				Resp: importResult{}, Form: contractImportForm("回款", "payments"), Desc: contractImportNote +
					" 同一合同、日期、金额和凭证号的回款只登记一次，再次导入为 unchanged；按文件顺序冲抵分期。 A payment with the same contract, day, amount and reference is recorded once (unchanged when imported again); rows pay installments in file order."}},
		{Pattern: "POST /api/v1/imports/payments/{key}/apply", Perm: access.FinanceWrite, Handle: s.applyPaymentImport,
			Doc: op{Tag: "import", Zh: "导入已暂存（预览过）的回款文件", En: "Apply a staged (dry-run) payment import", Body: contractImportApply{}, Resp: importResult{}}},
		{Pattern: "GET /api/v1/imports/contracts/template", Perm: access.ContractImport, Handle: s.contractImportTemplate,
			Doc: op{Tag: "import", Zh: "下载合同导入模板（XLSX：表头与示例行）", En: "Download the contract import template (XLSX: the headers and example rows)", XLSX: true}},
		{Pattern: "GET /api/v1/imports/payments/template", Perm: access.FinanceWrite, Handle: s.paymentImportTemplate,
			Doc: op{Tag: "import", Zh: "下载回款导入模板（XLSX：表头与示例行）", En: "Download the payment import template (XLSX: the headers and example rows)", XLSX: true}},
		{Pattern: "GET /api/v1/imports/{kind}/template", Perm: access.CustomerImport, Handle: s.importTemplate,
			Doc: op{Tag: "import", Zh: "下载客户、联系人或设备导入模板（XLSX）", En: "Download the customer, contact or equipment import template (XLSX)", XLSX: true,
				Desc: "合同与回款模板见 /imports/contracts/template 与 /imports/payments/template。 The contract and payment templates are at /imports/contracts/template and /imports/payments/template."}},

		// Notifications and reminders.
		{Pattern: "GET /api/v1/notifications", Perm: access.Authenticated, Handle: s.listNotifications,
			Doc: op{Tag: "notifications", Zh: "本人的站内通知（新到旧）", En: "The caller's notifications, newest first", Resp: notify.Notification{}, Shape: shapeList,
				Desc:  "只返回调用者本人的通知；未读数见 /me 的 unread_notifications。 Only the caller's own; the unread count is unread_notifications of /me.",
				Query: []param{{Name: "unread_only", Type: "boolean", Zh: "仅未读", En: "unread only"}, qLimit(50, 200)}}},
		{Pattern: "POST /api/v1/notifications/{id}/read", Perm: access.Authenticated, Handle: s.markNotificationRead,
			Doc: op{Tag: "notifications", Zh: "标记一条通知已读", En: "Mark a notification read", Status: http.StatusNoContent,
				Desc: "只作用于调用者本人的未读通知；别人的或已读的通知不变（仍返回 204）。 Acts only on the caller's own unread notification; anyone else's, or one already read, is left as it is (still 204)."}},
		{Pattern: "POST /api/v1/notifications/read-all", Perm: access.Authenticated, Handle: s.markAllNotificationsRead,
			Doc: op{Tag: "notifications", Zh: "本人的通知全部标为已读", En: "Mark all the caller's notifications read", Status: http.StatusNoContent}},
		// Managers and admins run the reminder job by hand (it also runs as
		// the system); contract.import is held by exactly those roles, as
		// for the contracts policy (the domain checks IsManagerial).
		{Pattern: "POST /api/v1/reminders/run", Perm: access.ContractImport, Handle: s.runReminders,
			Doc: op{Tag: "notifications", Zh: "立即生成合同提醒（客服经理、管理员）", En: "Run the contract reminders now (managers and admins)", Resp: contracts.ReminderCounts{},
				Desc: "为分管客服生成站内提醒：进入续约期、分期即将到期、分期逾期、报价待跟进。每条提醒只生成一次，返回本次新增的数量。 " +
					"Adds in-app reminders for the owning specialists: renewal window opened, installment due soon, installment overdue, quote follow-up due. " +
					"Each reminder is added once; the counts are the new ones."}},

		// Work calendar.
		{Pattern: "GET /api/v1/calendar/settings", Perm: access.StaffRead, Handle: s.calendarSettings,
			Doc: op{Tag: "calendar", Zh: "工作时间设置", En: "Working-hours settings", Resp: workcal.Settings{}}},
		{Pattern: "PUT /api/v1/calendar/settings", Perm: access.CalendarWrite, Handle: s.saveCalendarSettings,
			Doc: op{Tag: "calendar", Zh: "修改工作时间设置", En: "Change the working-hours settings", Body: settingsInput{}, Resp: workcal.Settings{},
				Desc: "省略的字段保持原值。 Fields left out keep their stored values."}},
		{Pattern: "GET /api/v1/calendar/holidays", Perm: access.StaffRead, Handle: s.listHolidays,
			Doc: op{Tag: "calendar", Zh: "某年的节假日与调休上班日", En: "A year's holidays and make-up working days", Resp: workcal.Holiday{}, Shape: shapeList,
				Query: []param{{Name: "year", Type: "integer", Zh: "年份（默认今年）", En: "year (default this year)", Min: 1900, Max: 9999}}}},
		{Pattern: "PUT /api/v1/calendar/holidays/{day}", Perm: access.CalendarWrite, Handle: s.putHoliday,
			Doc: op{Tag: "calendar", Zh: "设置某天为放假或调休上班", En: "Set a day as holiday or make-up working day", Body: holidayInput{}, Resp: workcal.Holiday{}}},
		{Pattern: "DELETE /api/v1/calendar/holidays/{day}", Perm: access.CalendarWrite, Handle: s.deleteHoliday,
			Doc: op{Tag: "calendar", Zh: "删除某天的设置（恢复为普通日）", En: "Delete a day's entry (an ordinary day again)", Status: http.StatusNoContent}},
		{Pattern: "POST /api/v1/calendar/holidays/import", Perm: access.CalendarWrite, Handle: s.importHolidays,
			Doc: op{Tag: "calendar", Zh: "导入节假日 CSV（date,name,kind）", En: "Import a holidays CSV (date,name,kind)", Resp: holidayImportResult{}, RawCSV: true,
				Form: []param{{Name: "file", Type: "file", Required: true, Zh: "UTF-8 CSV 文件，不超过 1 MB", En: "a UTF-8 CSV file, at most 1 MB"}},
				Desc: "请求体为 multipart（file 字段）或直接为 text/csv。任何一行有错则不导入。 The body is multipart (field file) or text/csv itself; a file with any bad line changes nothing."}},

		// API tokens.
		{Pattern: "GET /api/v1/tokens", Perm: access.TokenManage, Handle: s.listTokens,
			Doc: op{Tag: "tokens", Zh: "API 令牌列表", En: "List API tokens", Resp: auth.Token{}, Shape: shapeList}},
		{Pattern: "POST /api/v1/tokens", Perm: access.TokenManage, Handle: s.createToken,
			Doc: op{Tag: "tokens", Zh: "创建 API 令牌（secret 只返回这一次）", En: "Create an API token (the secret is returned only this once)",
				Body: tokenInput{}, Resp: tokenCreated{}, Status: http.StatusCreated}},
		{Pattern: "POST /api/v1/tokens/{id}/revoke", Perm: access.TokenManage, Handle: s.revokeToken,
			Doc: op{Tag: "tokens", Zh: "吊销 API 令牌", En: "Revoke an API token", Status: http.StatusNoContent}},

		// Audit log.
		{Pattern: "GET /api/v1/audit", Perm: access.AuditRead, Handle: s.listAudit,
			Doc: op{Tag: "audit", Zh: "审计日志（新到旧，游标分页）", En: "The audit log, newest first (keyset paging)", Resp: auditEntry{}, Shape: shapePage,
				Query: []param{
					{Name: "entity", Zh: "对象类型，如 customer、staff", En: "entity type, e.g. customer, staff"},
					{Name: "entity_id", Zh: "对象 id", En: "entity id"},
					{Name: "actor_id", Zh: "操作人员工 id", En: "acting staff id"},
					{Name: "action", Zh: "动作，如 create、update", En: "action, e.g. create, update"},
					{Name: "from", Zh: "起：日期 YYYY-MM-DD（公司时区）或 RFC 3339 时间", En: "from: a date (company time zone) or an RFC 3339 time"},
					{Name: "to", Zh: "止：日期（含当天）或 RFC 3339 时间（不含）", En: "to: a date (inclusive) or an RFC 3339 time (exclusive)"},
					{Name: "q", Zh: "摘要包含", En: "summary contains"},
					qAfter, qLimit(100, 200),
				}}},
	}, slices.Concat(s.fieldworkRoutes(), s.progressRoutes(), s.acceptRoutes(), s.eventRoutes(),
		s.scorecardRoutes(), s.appraisalExportRoutes(), s.appraisalSchemeRoutes())...)
}

// surveyPlanNote describes a plan's fields.
const surveyPlanNote = "period 为 2026-03 或 2026Q1；due_on 为截止日（含当天）；method 为 phone、wechat、visit、questionnaire；" +
	"范围为在用客户，可按 scope_class、scope_region_id、scope_owner_id 缩小。questions 省略时为默认问卷（服务态度、响应速度、维修质量、总体满意度、意见建议）；" +
	"有打分题时须恰有一个 overall=true 的打分题，计入月度客户满意度汇总表。 " +
	"period is 2026-03 or 2026Q1; due_on is the last day; method is phone, wechat, visit or questionnaire; the scope is the active customers, narrowed by " +
	"scope_class, scope_region_id and scope_owner_id. Left out, questions are the default questionnaire; with score questions exactly one has overall=true, " +
	"the score the monthly satisfaction summary counts."

// moneyNote says how amounts are written, on every route that has them.
const moneyNote = "金额（*_fen 字段，如 amount_fen）均为整数，单位为分：12345 即 ¥123.45。 Amounts (the *_fen fields, such as amount_fen) are integers in fen: 12345 is ¥123.45."

// updateNote describes the update semantics shared by every PUT with a version.
const updateNote = "须带上读取时的 version，版本过期返回 409；省略的字段保持原值。 Send the version you read (a stale version is 409); fields left out keep their stored values."

// ticketTimeNote says how the explicit times of the service desk are read.
const ticketTimeNote = "时间（received_at、at、promised_at、appointment_at）为 RFC 3339；不带时区的时间（2026-03-05 10:00:05）按公司时区理解。" +
	"补录历史时可填写过去的时间（at 不早于上一次状态变更），不能晚于现在。 " +
	"Times (received_at, at, promised_at, appointment_at) are RFC 3339; a time without a zone (2026-03-05 10:00:05) is read in the company's " +
	"time zone. Past times migrate history (an at not before the previous transition); future times are refused."

// contractImportNote describes the contract and payment imports.
const contractImportNote = "流程同客户导入：dry_run=true 只预览（返回暂存文件 key，之后用 …/{key}/apply 导入同一文件），报告每行动作（create/unchanged）与错误（行、列、原因）；" +
	"mode=reject 有错误行则整个文件不导入（rejected=true），mode=skip 跳过错误行。金额列按元填写（如 60,000.00）。 " +
	"Works like the customer import: dry_run=true only reports (and returns the staged key; apply the same file later with …/{key}/apply); the report lists each " +
	"row's action (create/unchanged) and every error with row, column and reason; mode reject imports nothing when any row is bad (rejected=true), skip " +
	"imports the good rows. Amount columns are in yuan as people write them (60,000.00)."

// contractImportForm is the multipart form of a contract or payment import.
func contractImportForm(zh, kind string) []param {
	return []param{
		{Name: "file", Type: "file", Required: true, Zh: zh + "文件，XLSX 或 CSV（模板见 /imports/" + kind + "/template）", En: "an XLSX or CSV file (template at /imports/" + kind + "/template)"},
		{Name: "mode", Zh: "有错误行时：reject 整个文件不导入（默认）；skip 跳过错误行", En: "with bad rows: reject the whole file (default) or skip the bad rows", Enum: []string{"reject", "skip"}, Default: "reject"},
		{Name: "dry_run", Type: "boolean", Zh: "只预览不写入；之后用 /imports/" + kind + "/{key}/apply 导入同一文件", En: "report only; apply the same staged file later with /imports/" + kind + "/{key}/apply", Default: false},
		{Name: "mapping", Zh: "可选，JSON 对象：文件表头 → 列名", En: "optional JSON object: file header → column key"},
	}
}

func roleNames() []string {
	out := make([]string, len(access.AllRoles))
	for i, r := range access.AllRoles {
		out[i] = string(r)
	}
	return out
}

func importKinds() []string {
	out := make([]string, len(customers.ImportKinds))
	for i, k := range customers.ImportKinds {
		out[i] = string(k)
	}
	return out
}
