package demo

// The invented company. Every name, person, building and number below is
// made up; street names are real Beijing streets so that addresses read
// naturally.

const (
	// CompanyName is the invented company the demo builds.
	CompanyName = "北京华暖机电服务有限公司"
	// companyShort is used in WeChat group names and staff display names.
	companyShort = "华暖"
	// DefaultPassword is the password of every demo login unless Deps.Password is set.
	DefaultPassword = "kefu-demo-2026"
	emailDomain     = "huanuan.example"
	// seed1, seed2 fix the PCG so that every Load builds the same company.
	seed1, seed2 = 20260630, 0x4b454655 // "KEFU"
)

// regionSpec is one service region with its maintenance group.
type regionSpec struct {
	name, code, group, district string
	cabinet                     string // letter of the paper-archive cabinet
	customers                   []customerSpec
}

// customerSpec is one invented customer: full name, short name (for the
// WeChat group), kind of site (drives equipment and contact titles) and
// street.
type customerSpec struct {
	name, short, kind, street string
}

// Kinds of site.
const (
	kOffice     = "office"
	kHotel      = "hotel"
	kHospital   = "hospital"
	kSchool     = "school"
	kMall       = "mall"
	kDataCenter = "datacenter"
	kApartment  = "apartment"
	kPark       = "park"
	kVenue      = "venue"
	kElderly    = "elderly"
)

var regions = []regionSpec{
	{name: "国贸", code: "GM", group: "国贸维修项目组", district: "朝阳区", cabinet: "A", customers: []customerSpec{
		{"光华嘉汇中心写字楼", "光华嘉汇", kOffice, "光华路"},
		{"建外金融大厦", "建外金融", kOffice, "建国门外大街"},
		{"东环国际酒店", "东环国际", kHotel, "东三环中路"},
		{"朝阳瑞和医院", "瑞和医院", kHospital, "金台路"},
		{"秀水湾购物中心", "秀水湾", kMall, "秀水街"},
		{"大望路嘉和广场", "嘉和广场", kMall, "西大望路"},
		{"金台数据中心", "金台数据", kDataCenter, "金台路"},
		{"建华双语学校", "建华双语", kSchool, "东大桥路"},
		{"东三环雅居商务酒店", "雅居酒店", kHotel, "东三环北路"},
		{"国贸天禧公寓", "天禧公寓", kApartment, "建国路"},
		{"永安里恒信大厦", "恒信大厦", kOffice, "永安里中街"},
		{"针织路华康大厦", "华康大厦", kOffice, "针织路"},
		{"光华路传媒中心", "光华传媒", kOffice, "光华路"},
		{"建国路百汇商城", "百汇商城", kMall, "建国路"},
		{"西大望路云端数据中心", "云端数据", kDataCenter, "西大望路"},
		{"东大桥瑞安商务楼", "瑞安商务", kOffice, "东大桥路"},
		{"朝阳体育文化中心", "体育文化中心", kVenue, "朝阳路"},
		{"双井怡和写字楼", "怡和写字楼", kOffice, "广渠路"},
		{"国贸宏远服务式公寓", "宏远公寓", kApartment, "东三环中路"},
		{"朝外世纪影城", "世纪影城", kVenue, "朝阳门外大街"},
	}},
	{name: "望京", code: "WJ", group: "望京维修项目组", district: "朝阳区", cabinet: "B", customers: []customerSpec{
		{"望京瑞晟科技园", "瑞晟科技园", kPark, "望京街"},
		{"望京博远大厦", "博远大厦", kOffice, "阜通东大街"},
		{"望京南湖商务中心", "南湖商务", kOffice, "利泽中街"},
		{"广顺国际酒店", "广顺酒店", kHotel, "广顺北大街"},
		{"望京康和妇儿医院", "康和妇儿", kHospital, "望京东路"},
		{"利泽创新产业园", "利泽产业园", kPark, "利泽中街"},
		{"来广营天合写字楼", "天合写字楼", kOffice, "来广营西路"},
		{"望京启明国际学校", "启明学校", kSchool, "望京西路"},
		{"宏昌路智汇数据中心", "智汇数据", kDataCenter, "宏昌路"},
		{"望京悦汇购物中心", "悦汇购物", kMall, "阜通东大街"},
		{"湖光颐年养老中心", "颐年养老", kElderly, "湖光中街"},
		{"望京东湖会展中心", "东湖会展", kVenue, "望京东路"},
		{"酒仙桥艺术中心", "酒仙桥艺术", kVenue, "酒仙桥路"},
		{"望京锦程公寓酒店", "锦程公寓", kApartment, "广顺南大街"},
		{"阜通金融港", "阜通金融港", kOffice, "阜通西大街"},
		{"望京博雅实验中学", "博雅中学", kSchool, "望京北路"},
		{"将台国际商务中心", "将台商务", kOffice, "将台路"},
		{"望京盛世华庭酒店", "华庭酒店", kHotel, "广顺北大街"},
		{"酒仙桥恒通研发楼", "恒通研发", kPark, "酒仙桥北路"},
		{"望京普安社区医院", "普安医院", kHospital, "花家地街"},
	}},
	{name: "中关村", code: "ZGC", group: "中关村维修项目组", district: "海淀区", cabinet: "C", customers: []customerSpec{
		{"中关村融智大厦", "融智大厦", kOffice, "中关村大街"},
		{"知春路科创中心", "知春科创", kPark, "知春路"},
		{"中关村鼎新数据中心", "鼎新数据", kDataCenter, "北四环西路"},
		{"学院路博学宾馆", "博学宾馆", kHotel, "学院路"},
		{"海淀康泰医院", "康泰医院", kHospital, "海淀南路"},
		{"苏州街盛景写字楼", "盛景写字楼", kOffice, "苏州街"},
		{"中关村书苑大厦", "书苑大厦", kOffice, "海淀大街"},
		{"海淀启航实验学校", "启航学校", kSchool, "万泉河路"},
		{"丹棱环宇购物中心", "环宇购物", kMall, "丹棱街"},
		{"科学院南路创研楼", "创研楼", kPark, "科学院南路"},
		{"成府路清源会议中心", "清源会议中心", kVenue, "成府路"},
		{"北四环汇智国际酒店", "汇智酒店", kHotel, "北四环西路"},
		{"上地云谷数据中心", "云谷数据", kDataCenter, "上地信息路"},
		{"中关村南大街国华商务楼", "国华商务", kOffice, "中关村南大街"},
		{"海淀文汇广场", "文汇广场", kMall, "海淀大街"},
		{"知春里华辰公寓", "华辰公寓", kApartment, "知春路"},
		{"魏公村英才中学", "英才中学", kSchool, "魏公村路"},
		{"万泉河学苑宾馆", "学苑宾馆", kHotel, "万泉河路"},
		{"中关村东岚科技园", "东岚科技园", kPark, "上地东路"},
		{"双榆树恒润商城", "恒润商城", kMall, "双榆树北路"},
	}},
}

// Departments (部门). 维修中心 belongs to 运维部.
const (
	depExec    = "总经办"
	depCS      = "客服中心"
	depOps     = "运维部"
	depMaint   = "维修中心"
	depFinance = "财务部"
	depInfo    = "信息中心"
	depSales   = "销售部"
)

var departments = []struct{ name, parent string }{
	{depExec, ""}, {depCS, ""}, {depOps, ""}, {depMaint, depOps}, {depFinance, ""}, {depInfo, ""}, {depSales, ""},
}

// staffSpec is one invented employee. supervisor is the login of the
// direct supervisor (直属上级); region ties specialists, maintenance
// supervisors and technicians to a region (and its group).
type staffSpec struct {
	login, name, title, dept, role, supervisor, region string
	left                                               bool // 已离职 (sales person whose customers become orphans)
}

// staffSpecs is the organisation in creation order (supervisors first).
var staffSpecs = []staffSpec{
	{login: "gm", name: "韩志远", title: "总经理", dept: depExec, role: "executive"},
	{login: "manager", name: "沈雅琴", title: "客服经理", dept: depCS, role: "cs_manager", supervisor: "gm"},
	{login: "lin.wen", name: "林雯", title: "客服专员", dept: depCS, role: "cs_specialist", supervisor: "manager", region: "国贸"},
	{login: "su.yue", name: "苏悦", title: "客服专员", dept: depCS, role: "cs_specialist", supervisor: "manager", region: "望京"},
	{login: "chen.ke", name: "陈可", title: "客服专员", dept: depCS, role: "cs_specialist", supervisor: "manager", region: "中关村"},
	{login: "du.gang", name: "杜刚", title: "维修主管", dept: depMaint, role: "maint_supervisor", supervisor: "gm", region: "国贸"},
	{login: "peng.lei", name: "彭磊", title: "维修主管", dept: depMaint, role: "maint_supervisor", supervisor: "gm", region: "望京"},
	{login: "luo.jun", name: "罗军", title: "维修主管", dept: depMaint, role: "maint_supervisor", supervisor: "gm", region: "中关村"},
	{login: "ma.tao", name: "马涛", title: "维修技师", dept: depMaint, role: "technician", supervisor: "du.gang", region: "国贸"},
	{login: "song.kai", name: "宋凯", title: "维修技师", dept: depMaint, role: "technician", supervisor: "du.gang", region: "国贸"},
	{login: "tian.yong", name: "田勇", title: "维修技师", dept: depMaint, role: "technician", supervisor: "du.gang", region: "国贸"},
	{login: "jiang.chao", name: "姜超", title: "维修技师", dept: depMaint, role: "technician", supervisor: "peng.lei", region: "望京"},
	{login: "cao.liang", name: "曹亮", title: "维修技师", dept: depMaint, role: "technician", supervisor: "peng.lei", region: "望京"},
	{login: "deng.bin", name: "邓斌", title: "维修技师", dept: depMaint, role: "technician", supervisor: "luo.jun", region: "中关村"},
	{login: "fu.qiang", name: "付强", title: "维修技师", dept: depMaint, role: "technician", supervisor: "luo.jun", region: "中关村"},
	{login: "hou.peng", name: "侯鹏", title: "维修技师", dept: depMaint, role: "technician", supervisor: "luo.jun", region: "中关村"},
	{login: "xu.jing", name: "许静", title: "会计", dept: depFinance, role: "finance", supervisor: "gm"},
	{login: "jiang.xin", name: "蒋欣", title: "信息中心主任", dept: depInfo, role: "info_center", supervisor: "gm"},
	{login: "admin", name: "郑浩", title: "系统管理员", dept: depInfo, role: "admin", supervisor: "jiang.xin"},
	// Sales people have no kefu role of their own: they own customers as
	// sales owner (销售负责人) but work in no kefu process. The read-only
	// info_center role is the least privilege that still lets them log in
	// and look up their customers.
	{login: "xie.wei", name: "谢伟", title: "销售经理", dept: depSales, role: "info_center", supervisor: "gm"},
	{login: "tang.ming", name: "唐明", title: "客户经理", dept: depSales, role: "info_center", supervisor: "xie.wei"},
	{login: "wei.dong", name: "魏东", title: "客户经理", dept: depSales, role: "info_center", supervisor: "xie.wei", left: true},
}

// Role names in Chinese for the logins table.
var roleNames = map[string]string{
	"executive":        "总经理",
	"cs_manager":       "客服经理",
	"cs_specialist":    "客服专员",
	"maint_supervisor": "维修主管",
	"technician":       "维修人员",
	"finance":          "财务",
	"info_center":      "信息中心",
	"admin":            "系统管理员",
}

// Contact names: surname and given name with pinyin (for WeChat ids).
// The seeds' personal names cannot be formed from these lists.
var surnames = []struct{ han, py string }{
	{"王", "wang"}, {"李", "li"}, {"张", "zhang"}, {"刘", "liu"}, {"陈", "chen"}, {"杨", "yang"}, {"黄", "huang"},
	{"赵", "zhao"}, {"吴", "wu"}, {"周", "zhou"}, {"孙", "sun"}, {"朱", "zhu"}, {"胡", "hu"}, {"郭", "guo"},
	{"何", "he"}, {"高", "gao"}, {"梁", "liang"}, {"宋", "song"}, {"冯", "feng"}, {"曾", "zeng"}, {"肖", "xiao"},
	{"董", "dong"}, {"袁", "yuan"}, {"潘", "pan"}, {"于", "yu"}, {"蔡", "cai"}, {"叶", "ye"}, {"程", "cheng"},
	{"吕", "lv"}, {"丁", "ding"}, {"任", "ren"}, {"姚", "yao"}, {"卢", "lu"}, {"崔", "cui"}, {"钟", "zhong"},
	{"谭", "tan"}, {"汪", "wang"}, {"范", "fan"}, {"金", "jin"}, {"石", "shi"}, {"贾", "jia"}, {"夏", "xia"},
	{"方", "fang"}, {"白", "bai"}, {"孟", "meng"}, {"秦", "qin"}, {"邱", "qiu"}, {"尹", "yin"}, {"薛", "xue"},
	{"闫", "yan"}, {"段", "duan"}, {"雷", "lei"}, {"史", "shi"}, {"陶", "tao"}, {"贺", "he"}, {"顾", "gu"},
	{"郝", "hao"}, {"龚", "gong"}, {"邵", "shao"}, {"常", "chang"},
}

var givenNames = []struct{ han, py, initials string }{
	{"建国", "jianguo", "jg"}, {"志强", "zhiqiang", "zq"}, {"海涛", "haitao", "ht"}, {"秀英", "xiuying", "xy"},
	{"丽华", "lihua", "lh"}, {"国庆", "guoqing", "gq"}, {"明", "ming", "m"}, {"伟", "wei", "w"}, {"静", "jing", "j"},
	{"芳", "fang", "f"}, {"军", "jun", "j"}, {"磊", "lei", "l"}, {"洋", "yang", "y"}, {"勇", "yong", "y"},
	{"艳", "yan", "y"}, {"杰", "jie", "j"}, {"娟", "juan", "j"}, {"超", "chao", "c"}, {"敏", "min", "m"},
	{"晓东", "xiaodong", "xd"}, {"红梅", "hongmei", "hm"}, {"春生", "chunsheng", "cs"}, {"立新", "lixin", "lx"},
	{"文博", "wenbo", "wb"}, {"雪", "xue", "x"}, {"慧", "hui", "h"}, {"宏伟", "hongwei", "hw"}, {"思远", "siyuan", "sy"},
	{"凤英", "fengying", "fy"}, {"德胜", "desheng", "ds"}, {"永强", "yongqiang", "yq"}, {"玉兰", "yulan", "yl"},
	{"振华", "zhenhua", "zh"}, {"卫东", "weidong", "wd"}, {"晓燕", "xiaoyan", "xy"}, {"建华", "jianhua", "jh"},
	{"宇", "yu", "y"}, {"鹏飞", "pengfei", "pf"}, {"颖", "ying", "y"}, {"倩", "qian", "q"}, {"博", "bo", "b"},
	{"浩然", "haoran", "hr"}, {"雅婷", "yating", "yt"}, {"海燕", "haiyan", "hy"}, {"福生", "fusheng", "fs"},
	{"子健", "zijian", "zj"}, {"嘉怡", "jiayi", "jy"}, {"国栋", "guodong", "gd"},
}

// Contact titles: the decision maker's (负责人) by kind of site, and the others'.
var decisionTitles = map[string][]string{
	kOffice:     {"物业经理", "工程部经理"},
	kHotel:      {"工程总监", "工程部经理"},
	kHospital:   {"后勤保障处处长", "总务科科长"},
	kSchool:     {"后勤主任", "总务处主任"},
	kMall:       {"物业经理", "工程部经理"},
	kDataCenter: {"运维经理", "基础设施经理"},
	kApartment:  {"物业经理", "客服经理"},
	kPark:       {"园区物业经理", "工程部经理"},
	kVenue:      {"物业经理", "设施部经理"},
	kElderly:    {"院长助理", "后勤主管"},
}

var otherTitles = []string{"工程部主管", "设备管理员", "行政主管", "运行值班长", "暖通工程师", "采购主管", "财务对接人"}

// Mobile prefixes of the three carriers.
var mobilePrefixes = []string{"130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155",
	"156", "158", "159", "166", "176", "177", "180", "181", "182", "185", "186", "187", "188", "189", "191", "199"}

// Equipment kinds, and which kinds each site has (the first is the main unit).
const (
	eqChiller   = "冷水机组"
	eqHeatPump  = "风冷热泵"
	eqTower     = "冷却塔"
	eqFanCoil   = "风机盘管"
	eqPump      = "水泵"
	eqBoiler    = "锅炉"
	eqFreshAir  = "新风机组"
	mainBrandsN = 6
)

var siteEquipment = map[string][]string{
	kOffice:     {eqChiller, eqTower, eqPump, eqFanCoil, eqFreshAir},
	kHotel:      {eqChiller, eqBoiler, eqTower, eqFanCoil, eqFreshAir},
	kHospital:   {eqChiller, eqBoiler, eqFreshAir, eqPump},
	kSchool:     {eqHeatPump, eqFanCoil, eqFreshAir},
	kMall:       {eqChiller, eqTower, eqPump, eqFreshAir},
	kDataCenter: {eqChiller, eqTower, eqPump},
	kApartment:  {eqHeatPump, eqBoiler, eqFanCoil, eqPump},
	kPark:       {eqChiller, eqTower, eqPump, eqFanCoil, eqFreshAir},
	kVenue:      {eqChiller, eqTower, eqFreshAir, eqPump},
	kElderly:    {eqHeatPump, eqBoiler, eqFanCoil},
}

// mainBrands make chillers, heat pumps, fan coils and air handlers.
var mainBrands = []string{"开利", "约克", "特灵", "麦克维尔", "格力", "美的"}

// Other kinds come from their specialist makers.
var kindBrands = map[string][]string{
	eqTower:  {"良机", "马利"},
	eqPump:   {"格兰富", "威乐", "凯泉"},
	eqBoiler: {"菲斯曼", "力聚"},
}

var models = map[string]map[string][]string{
	eqChiller: {
		"开利": {"19XR-4040", "30XW-1162", "23XRV-3535"}, "约克": {"YK-EP-1100", "YVWA-0745", "YKFDFDQ55"},
		"特灵": {"CVHE-500", "RTHD-C2D2", "CVHG-780"}, "麦克维尔": {"WSC-126", "WMC-145", "WME-1000"},
		"格力": {"LSBLX-1200", "LSBLG-1700/M", "CVT-1800"}, "美的": {"LSBLGR-900", "CCWE-1100", "MC-SU-1300"},
	},
	eqHeatPump: {
		"开利": {"30RQ-330", "30AQA-165"}, "约克": {"YCAE-0650", "YLPA-0350"}, "特灵": {"CGAM-120", "CXAM-090"},
		"麦克维尔": {"MAC-330ER", "MAC-600E"}, "格力": {"LSQWRF-130", "LSQWRF-260M"}, "美的": {"LSQWRF-65M", "MC-SC-130"},
	},
	eqFanCoil: {
		"开利": {"42CE-005", "42CT-008"}, "约克": {"YGFC-08", "YGFC-10"}, "特灵": {"FCD-800", "HFCA-600"},
		"麦克维尔": {"MCW-800", "MCK-600"}, "格力": {"FP-85WA", "FP-136WA"}, "美的": {"MKT3-800", "MKA-V600"},
	},
	eqFreshAir: {
		"开利": {"39CQ-1012", "39G-1520"}, "约克": {"YSM-20", "YAH-15"}, "特灵": {"CLCP-12", "CCTB-20"},
		"麦克维尔": {"ADH-15", "MDB-20"}, "格力": {"ZK-20", "ZK-30"}, "美的": {"MAH-15", "MKZ-20"},
	},
	eqTower:  {"良机": {"LRC-M-300", "LRC-H-400"}, "马利": {"NC8402", "NC8405"}},
	eqPump:   {"格兰富": {"NBG 150-125-315", "TP 100-240/4"}, "威乐": {"IL 100/220-15/4", "NL 125/315"}, "凯泉": {"KQW150/315-30/4"}},
	eqBoiler: {"菲斯曼": {"Vitocrossal 200 CM2-620", "Vitoplex 100"}, "力聚": {"CWNS2.1-85/60-Y.Q", "WNS4-1.25-Y.Q"}},
}

// serialPrefix starts a brand's serial numbers.
var serialPrefix = map[string]string{
	"开利": "CR", "约克": "YK", "特灵": "TR", "麦克维尔": "MV", "格力": "GR", "美的": "MD",
	"良机": "LJ", "马利": "ML", "格兰富": "GF", "威乐": "WL", "凯泉": "KQ", "菲斯曼": "VS", "力聚": "LZ",
}

var locations = map[string][]string{
	eqChiller:  {"地下二层冷冻机房", "地下三层制冷机房"},
	eqHeatPump: {"屋顶", "裙楼屋面"},
	eqTower:    {"屋顶", "裙楼屋面"},
	eqFanCoil:  {"各层吊顶内", "办公及公共区域吊顶内"},
	eqPump:     {"地下二层水泵房", "地下二层冷冻机房"},
	eqBoiler:   {"地下一层锅炉房"},
	eqFreshAir: {"各层新风机房", "十二层设备层"},
}

// strayMembers are people in a WeChat group who are no customer contact.
var strayMembers = []string{"李工（原装修单位）", "前台-小赵", "保安队长老孙", "装修公司-周经理"}

// Customer notes by class.
var classNotes = map[string]string{
	"A": "重点客户：夏季制冷季 24 小时响应，每月巡检后提交运行报告。",
	"B": "常规维保客户，按合同每月巡检、每年两次换季保养。",
}
