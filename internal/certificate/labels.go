package certificate

import (
	"fmt"
	"strings"
	"time"
)

// Lang is a language the certificate is printed in.
type Lang string

// The languages of the certificate: Kazakh, the state language, and Russian, used officially on a
// par with it, and English.
const (
	Kazakh  Lang = "kk"
	Russian Lang = "ru"
	English Lang = "en"
)

// Languages returns the languages of the certificate in the order of its sections: Kazakh, Russian,
// English.
func Languages() []Lang { return []Lang{Kazakh, Russian, English} }

// The keys of the labels: the fixed text of the form of Annex 7 and of its annex. A value in braces
// ({number}, {date}, ...) is a placeholder the renderer fills; every language has the same ones.
const (
	labelAuthority         = "authority"
	labelTitle             = "title"
	labelDuplicate         = "duplicate"
	labelSubtitle          = "subtitle"
	labelObjectCaption     = "object.caption"
	labelObjectKind        = "object.kind"
	labelValidUntil        = "valid.until"
	labelValidOperation    = "valid.operation"
	labelOwner             = "owner"
	labelCertify           = "certify"
	labelComplies          = "complies"
	labelProcessing        = "processing"
	labelProhibited        = "prohibited"
	labelControl           = "control"
	labelAct               = "act"
	labelAdditionalAct     = "act.additional"
	labelActSigned         = "act.signed" // issue 17: the act's electronic digital signature
	labelPeriod            = "period"
	labelNotify            = "notify"
	labelChairman          = "chairman"
	labelSeal              = "seal"
	labelIssued            = "issued"
	labelVerify            = "verify"
	labelSHA256            = "sha256"
	labelAnnex             = "annex"
	labelTable1            = "table1"
	labelTable2            = "table2"
	labelContinued         = "continued"
	labelEmptyTable        = "table.empty"
	labelPage              = "page"
	labelColItem           = "col.item"
	labelHWManufacturer    = "hw.manufacturer"
	labelHWSerial          = "hw.serial"
	labelHWCertificate     = "hw.certificate"
	labelHWLocation        = "hw.location"
	labelHWType            = "hw.type"
	labelHWPurpose         = "hw.purpose"
	labelHWProtection      = "hw.protection"
	labelHWIntegrated      = "hw.integrated"
	labelSWDeveloper       = "sw.developer"
	labelSWName            = "sw.name"
	labelSWVersion         = "sw.version"
	labelSWInstalledOn     = "sw.installedOn"
	labelSWType            = "sw.type"
	labelSWPurpose         = "sw.purpose"
	labelSWProtection      = "sw.protection"
	labelCompositionIS     = "composition.complex"
	labelCompositionEGov   = "composition.egov"
	labelCompositionWeb    = "composition.stateWeb"
	labelCompositionOthers = "composition.web"
)

// kindPrefix is the prefix of the labels naming the kinds of object ("kind.state_is").
const kindPrefix = "kind."

// kinds maps each kind of object (the policy's key, e.g. state_is) to the words Annex 7 uses for
// the composition attached to its certificate: "a complex of software and hardware / the
// e-government information and communication platform / the Internet resource of a state body".
var kinds = map[string]string{
	"state_is":               labelCompositionIS,
	"state_entity_is":        labelCompositionIS,
	"integrated_nonstate_is": labelCompositionIS,
	"critical_is":            labelCompositionIS,
	"nonstate_is":            labelCompositionIS,
	"egov_platform":          labelCompositionEGov,
	"state_web":              labelCompositionWeb,
	"nonstate_web":           labelCompositionOthers,
}

// labels is the fixed text of the certificate in each language. The English follows the
// translation of Annex 7 in the project's words (attestation, survey, act); the Kazakh and Russian
// follow the official forms' terms (Сәйкестік аттестаты, аттестаттық зерттеп-қарау; Аттестат
// соответствия, аттестационное обследование).
var labels = map[Lang]map[string]string{
	Kazakh: {
		labelAuthority:         "Ақпараттық қауіпсіздік комитеті",
		labelTitle:             "№ {number} СӘЙКЕСТІК АТТЕСТАТЫ",
		labelDuplicate:         "ТЕЛНҰСҚА · {date} берілді",
		labelSubtitle:          "аттестаттау объектісінің ақпараттық қауіпсіздік талаптарына сәйкестігі туралы",
		labelObjectCaption:     "(аттестаттау объектісінің атауы)",
		labelObjectKind:        "Объектінің түрі: {kind}",
		labelValidUntil:        "{date} дейін жарамды   № {number}",
		labelValidOperation:    "Өнеркәсіптік пайдалану кезеңінде жарамды   № {number}",
		labelOwner:             "Объектінің меншік иесі (иеленушісі): {name}, БСН/ЖСН {id}",
		labelCertify:           "Осымен куәландырылады:",
		labelComplies:          "ақпараттық қауіпсіздік талаптарына, ақпараттық қауіпсіздік саласындағы стандарттарға сәйкес келеді. {composition} құрамы аттестатқа қосымшада келтірілген.",
		labelProcessing:        "Аттестаттау объектісінде жүргізілген аттестаттық зерттеп-қарау нәтижелері ескеріле отырып, {category} өңдеуге рұқсат етіледі.",
		labelProhibited:        "Аттестаттау объектісін пайдалану кезінде мыналарға тыйым салынады:",
		labelControl:           "Іске асырылған шаралар мен қорғау құралдарының тиімділігін бақылау өтініш берушінің тиісті бөлімшесіне жүктеледі.",
		labelAct:               "Аттестаттық зерттеп-қараудың толық нәтижелері аттестаттық зерттеп-қарау актісінде келтірілген ({date} № {number}).",
		labelAdditionalAct:     "Анықталған кемшіліктердің жойылғаны қосымша аттестаттық зерттеп-қарау актісімен расталған ({date} № {number}).",
		labelActSigned:         "Акт электрондық цифрлық қолтаңбамен қол қойылған: {signer}.",
		labelPeriod:            "Аттестаттау объектісінің ақпараттық қауіпсіздік талаптарына сәйкестігінің осы аттестаты {period} берілді, осы кезең ішінде аттестаттау объектісінің жұмыс істеу шарттары мен функционалдығының өзгермеуі қамтамасыз етілуі тиіс.",
		labelNotify:            "Өзгерістері туралы Мемлекеттік техникалық қызметке міндетті түрде хабарлануы тиіс сипаттамалардың тізбесі:",
		labelChairman:          "Төраға",
		labelSeal:              "М.О.",
		labelIssued:            "Берілген күні: {date}",
		labelVerify:            "Аттестатты ашық тізілімнен тексеру:",
		labelSHA256:            "SHA-256 бақылау сомасы:",
		labelAnnex:             "{date} № {number} сәйкестік аттестатына қосымша",
		labelTable1:            "№ 1 кесте. Техникалық құралдар",
		labelTable2:            "№ 2 кесте. Бағдарламалық құралдар",
		labelContinued:         "(жалғасы)",
		labelEmptyTable:        "Тізбеде позициялар жоқ.",
		labelPage:              "Бет {page} / {pages}",
		labelColItem:           "Р/с №",
		labelHWManufacturer:    "Өндіруші, үлгісі",
		labelHWSerial:          "Сериялық/түгендеу нөмірі",
		labelHWCertificate:     "Ақпараттық қауіпсіздік бойынша сертификаттың нөмірі (бар болса)",
		labelHWLocation:        "Физикалық орналасқан жері",
		labelHWType:            "Түрі (техникалық құжаттамаға сәйкес)",
		labelHWPurpose:         "Негізгі функционалдық мақсаты (аттестаттау объектісінің бағдарламалық құжаттамасына сәйкес)",
		labelHWProtection:      "Қолданылатын ақпаратты қорғау әдістері",
		labelHWIntegrated:      "Әзірлеуші, атауы, нұсқасы (кірістірілген бағдарламалық қамтылымның)",
		labelSWDeveloper:       "Әзірлеуші",
		labelSWName:            "Атауы",
		labelSWVersion:         "Нұсқасы",
		labelSWInstalledOn:     "Орнатылған орны (техникалық құралдар тізбесінен)",
		labelSWType:            "Түрі (бағдарламалық құжаттамаға сәйкес)",
		labelSWPurpose:         "Негізгі функционалдық мақсаты (бағдарламалық құжаттамаға сәйкес)",
		labelSWProtection:      "Қолданылатын ақпаратты қорғау әдістері",
		labelCompositionIS:     "Бағдарламалық және техникалық құралдар кешенінің",
		labelCompositionEGov:   "«Электрондық үкіметтің» ақпараттық-коммуникациялық платформасының",
		labelCompositionWeb:    "Мемлекеттік органның интернет-ресурсының",
		labelCompositionOthers: "Интернет-ресурстың",

		kindPrefix + "state_is":               "мемлекеттік органның ақпараттық жүйесі",
		kindPrefix + "state_entity_is":        "мемлекеттік заңды тұлғаның ақпараттық жүйесі",
		kindPrefix + "integrated_nonstate_is": "мемлекеттік органның ақпараттық жүйесімен интеграцияланатын немесе мемлекеттік электрондық ақпараттық ресурстарды қалыптастыруға арналған мемлекеттік емес ақпараттық жүйе",
		kindPrefix + "critical_is":            "ақпараттық-коммуникациялық инфрақұрылымның аса маңызды объектілеріне жатқызылған ақпараттық жүйе",
		kindPrefix + "nonstate_is":            "мемлекеттік емес ақпараттық жүйе",
		kindPrefix + "egov_platform":          "«электрондық үкіметтің» ақпараттық-коммуникациялық платформасы",
		kindPrefix + "state_web":              "мемлекеттік органның интернет-ресурсы",
		kindPrefix + "nonstate_web":           "мемлекеттік емес интернет-ресурс",
	},
	Russian: {
		labelAuthority:         "Комитет информационной безопасности",
		labelTitle:             "АТТЕСТАТ СООТВЕТСТВИЯ № {number}",
		labelDuplicate:         "ДУБЛИКАТ · выдан {date}",
		labelSubtitle:          "объекта аттестации требованиям информационной безопасности",
		labelObjectCaption:     "(наименование объекта аттестации)",
		labelObjectKind:        "Вид объекта: {kind}",
		labelValidUntil:        "Действителен до {date}   № {number}",
		labelValidOperation:    "Действителен на период промышленной эксплуатации   № {number}",
		labelOwner:             "Собственник (владелец) объекта: {name}, БИН/ИИН {id}",
		labelCertify:           "Настоящим удостоверяется, что:",
		labelComplies:          "соответствует требованиям информационной безопасности, стандартам в области информационной безопасности. Состав {composition} приведен в приложении к аттестату.",
		labelProcessing:        "Разрешается обработка {category} с учетом результатов аттестационного обследования на объекте аттестации.",
		labelProhibited:        "При эксплуатации объекта аттестации запрещается:",
		labelControl:           "Контроль за эффективностью реализованных мер и средств защиты возлагается на соответствующее подразделение заявителя.",
		labelAct:               "Подробные результаты аттестационного обследования приведены в акте аттестационного обследования (№ {number} от {date}).",
		labelAdditionalAct:     "Устранение выявленных недостатков подтверждено актом дополнительного аттестационного обследования (№ {number} от {date}).",
		labelActSigned:         "Акт подписан электронной цифровой подписью: {signer}.",
		labelPeriod:            "Настоящий аттестат соответствия объекта аттестации требованиям информационной безопасности выдан {period}, в течение которого должна быть обеспечена неизменность условий функционирования и функциональности объекта аттестации.",
		labelNotify:            "Перечень характеристик, об изменениях которых необходимо обязательно извещать Государственную техническую службу:",
		labelChairman:          "Председатель",
		labelSeal:              "М.П.",
		labelIssued:            "Дата выдачи: {date}",
		labelVerify:            "Проверить аттестат в открытом реестре:",
		labelSHA256:            "Контрольная сумма SHA-256:",
		labelAnnex:             "Приложение к аттестату соответствия № {number} от {date}",
		labelTable1:            "Таблица № 1. Технические средства",
		labelTable2:            "Таблица № 2. Программные средства",
		labelContinued:         "(продолжение)",
		labelEmptyTable:        "Позиции в перечне отсутствуют.",
		labelPage:              "Стр. {page} из {pages}",
		labelColItem:           "№ п/п",
		labelHWManufacturer:    "Производитель, модель",
		labelHWSerial:          "Серийный/инвентарный номер",
		labelHWCertificate:     "Номер сертификата по информационной безопасности (при наличии)",
		labelHWLocation:        "Физическое расположение",
		labelHWType:            "Тип (согласно технической документации)",
		labelHWPurpose:         "Основное функциональное назначение (согласно программной документации на объект аттестации)",
		labelHWProtection:      "Используемые методы защиты информации",
		labelHWIntegrated:      "Разработчик, наименование, версия (встроенного программного обеспечения)",
		labelSWDeveloper:       "Разработчик",
		labelSWName:            "Наименование",
		labelSWVersion:         "Версия",
		labelSWInstalledOn:     "Место установки (из перечня технических средств)",
		labelSWType:            "Тип (согласно программной документации)",
		labelSWPurpose:         "Основное функциональное назначение (согласно программной документации)",
		labelSWProtection:      "Используемые методы защиты информации",
		labelCompositionIS:     "комплекса программных и технических средств",
		labelCompositionEGov:   "информационно-коммуникационной платформы «электронного правительства»",
		labelCompositionWeb:    "интернет-ресурса государственного органа",
		labelCompositionOthers: "интернет-ресурса",

		kindPrefix + "state_is":               "информационная система государственного органа",
		kindPrefix + "state_entity_is":        "информационная система государственного юридического лица",
		kindPrefix + "integrated_nonstate_is": "негосударственная информационная система, интегрируемая с информационной системой государственного органа или предназначенная для формирования государственных электронных информационных ресурсов",
		kindPrefix + "critical_is":            "информационная система, отнесенная к критически важным объектам информационно-коммуникационной инфраструктуры",
		kindPrefix + "nonstate_is":            "негосударственная информационная система",
		kindPrefix + "egov_platform":          "информационно-коммуникационная платформа «электронного правительства»",
		kindPrefix + "state_web":              "интернет-ресурс государственного органа",
		kindPrefix + "nonstate_web":           "негосударственный интернет-ресурс",
	},
	English: {
		labelAuthority:         "Information Security Committee",
		labelTitle:             "CERTIFICATE No. {number}",
		labelDuplicate:         "DUPLICATE · issued {date}",
		labelSubtitle:          "of compliance of the object of attestation with information security requirements",
		labelObjectCaption:     "(name of the object of attestation)",
		labelObjectKind:        "Kind of object: {kind}",
		labelValidUntil:        "Valid until {date}   No. {number}",
		labelValidOperation:    "Valid for the period of industrial operation   No. {number}",
		labelOwner:             "Owner (possessor) of the object: {name}, BIN/IIN {id}",
		labelCertify:           "This is to certify that:",
		labelComplies:          "complies with information security requirements and the standards in the field of information security. The composition of {composition} is given in the annex to the certificate.",
		labelProcessing:        "The processing of {category} is allowed, subject to the results of the attestation survey of the object of attestation.",
		labelProhibited:        "When operating the object of attestation it is prohibited:",
		labelControl:           "Control over the effectiveness of the implemented measures and means of protection remains with the relevant subdivision of the applicant.",
		labelAct:               "Detailed results of the attestation survey are given in the act of the attestation survey (No. {number} dated {date}).",
		labelAdditionalAct:     "The rectification of the deficiencies found is confirmed by the act of the additional attestation survey (No. {number} dated {date}).",
		labelActSigned:         "The act is signed with the electronic digital signature of {signer}.",
		labelPeriod:            "This certificate of compliance of the object of attestation with information security requirements is issued for {period}, during which the conditions of functioning and the functionality of the object of attestation must remain unchanged.",
		labelNotify:            "The list of characteristics whose changes must be notified to the State Technical Service:",
		labelChairman:          "Chairman",
		labelSeal:              "L.S.",
		labelIssued:            "Date of issue: {date}",
		labelVerify:            "Verify the certificate in the public register:",
		labelSHA256:            "SHA-256 checksum:",
		labelAnnex:             "Annex to the certificate No. {number} dated {date}",
		labelTable1:            "Table No. 1. Hardware",
		labelTable2:            "Table No. 2. Software",
		labelContinued:         "(continued)",
		labelEmptyTable:        "The list has no items.",
		labelPage:              "Page {page} of {pages}",
		labelColItem:           "Item No.",
		labelHWManufacturer:    "Manufacturer, model",
		labelHWSerial:          "Serial/inventory number",
		labelHWCertificate:     "Information security certificate number (if any)",
		labelHWLocation:        "Physical location",
		labelHWType:            "Type (according to technical documentation)",
		labelHWPurpose:         "Main functional purpose (according to program documentation of the object of attestation)",
		labelHWProtection:      "Methods of information protection used",
		labelHWIntegrated:      "Developer, name, version (of integrated software)",
		labelSWDeveloper:       "Developer",
		labelSWName:            "Name",
		labelSWVersion:         "Version",
		labelSWInstalledOn:     "Place of installation (from the list of hardware)",
		labelSWType:            "Type (according to program documentation)",
		labelSWPurpose:         "Main functional purpose (according to program documentation)",
		labelSWProtection:      "Methods of information protection used",
		labelCompositionIS:     "the complex of software and hardware",
		labelCompositionEGov:   "the “e-government” information and communication platform",
		labelCompositionWeb:    "the Internet resource of a state body",
		labelCompositionOthers: "the Internet resource",

		kindPrefix + "state_is":               "information system of a state body",
		kindPrefix + "state_entity_is":        "information system of a state legal entity",
		kindPrefix + "integrated_nonstate_is": "non-state information system integrated with an information system of a state body or intended to form state electronic information resources",
		kindPrefix + "critical_is":            "information system related to the critical objects of the information and communication infrastructure",
		kindPrefix + "nonstate_is":            "non-state information system",
		kindPrefix + "egov_platform":          "“e-government” information and communication platform",
		kindPrefix + "state_web":              "Internet resource of a state body",
		kindPrefix + "nonstate_web":           "non-state Internet resource",
	},
}

// label returns the fixed text of key in l. Every key exists in every language (a test proves it),
// so a missing one is a programming error and shows as the key itself.
func label(l Lang, key string) string {
	if s, ok := labels[l][key]; ok {
		return s
	}
	return key
}

// Month names by grammatical case: Kazakh needs the nominative, the dative ("... дейін", until)
// and the locative ("...дағы", dated); Russian the genitive («14» марта).
var (
	monthsKK    = [12]string{"қаңтар", "ақпан", "наурыз", "сәуір", "мамыр", "маусым", "шілде", "тамыз", "қыркүйек", "қазан", "қараша", "желтоқсан"}
	monthsKKDat = [12]string{"қаңтарға", "ақпанға", "наурызға", "сәуірге", "мамырға", "маусымға", "шілдеге", "тамызға", "қыркүйекке", "қазанға", "қарашаға", "желтоқсанға"}
	monthsKKLoc = [12]string{"қаңтардағы", "ақпандағы", "наурыздағы", "сәуірдегі", "мамырдағы", "маусымдағы", "шілдедегі", "тамыздағы", "қыркүйектегі", "қазандағы", "қарашадағы", "желтоқсандағы"}
	monthsRU    = [12]string{"января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября", "ноября", "декабря"}
	monthsEN    = [12]string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
)

// dateCase is the role a date plays in a sentence, which in Kazakh decides the month's ending.
type dateCase int

const (
	datePlain dateCase = iota // "Date of issue: ..."
	dateUntil                 // "Valid until ..."
	dateDated                 // "No. 12 dated ..."
)

// formatDate writes the calendar date of t in Kazakhstan's time zone as the language writes it in
// an official document: 2025 жылғы «14» наурыз, «14» марта 2025 года, 14 March 2025.
func formatDate(l Lang, t time.Time, dc dateCase) string {
	t = t.In(almaty)
	d, m, y := t.Day(), t.Month()-1, t.Year()
	switch l {
	case Kazakh:
		month := monthsKK[m]
		switch dc {
		case dateUntil:
			month = monthsKKDat[m]
		case dateDated:
			month = monthsKKLoc[m]
		}
		return fmt.Sprintf("%d жылғы «%02d» %s", y, d, month)
	case Russian:
		return fmt.Sprintf("«%02d» %s %d года", d, monthsRU[m], y)
	default:
		return fmt.Sprintf("%d %s %d", d, monthsEN[m], y)
	}
}

// fill replaces the placeholders of a label ({number}, {date}, ...) by their values.
func fill(s string, kv ...string) string {
	pairs := make([]string, 0, len(kv))
	for i := 0; i+1 < len(kv); i += 2 {
		pairs = append(pairs, "{"+kv[i]+"}", kv[i+1])
	}
	return strings.NewReplacer(pairs...).Replace(s)
}
