package certificate

// The keys of the labels of the copy of the decision to recall a certificate (§45, §46). They live
// in recallLabels, apart from the certificate's labels; the copy also uses the certificate's
// labelAuthority and labelOwner. A value in braces is a placeholder the renderer fills; every
// language has the same ones (a test proves it).
const (
	recallTitle      = "recall.title"      // {number}
	recallCopy       = "recall.copy"       // the copy is the owner's (§46)
	recallObject     = "recall.object"     // {name}
	recallOwnerNoID  = "recall.owner"      // {name}: the owner when no BIN/IIN is given
	recallDecidedOn  = "recall.decidedOn"  // {date}
	recallGroundHead = "recall.groundHead" // {paragraph}
	recallReasons    = "recall.reasons"
	recallChange     = "recall.change" // {id}
	recallReturn     = "recall.return" // {number} {date} {paragraph}
	// recallReturnOffice: the copy handed over at the Committee's office (a paper case): the
	// return runs from that hand-over, so the copy names no date. {number} {paragraph}
	recallReturnOffice = "recall.returnAtOffice"
	recallTerminated   = "recall.terminated" // §45(5): the register's termination mark
	recallDecidedBy    = "recall.decidedBy"  // {name}
	recallPar          = "recall.par"        // {par}: a paragraph of the Rules, e.g. §46
	recallSubpar       = "recall.subpar"     // {par} {sub}: a subparagraph of the Rules, e.g. §45(2)
)

// recallGroundPrefix is the prefix of the labels wording each ground of §45 ("recall.ground.owner_application").
const recallGroundPrefix = "recall.ground."

// recallGround is a ground of §45 for a recall: the policy's id and its subparagraph in the
// edition of 2018, printed when the decision names none.
type recallGround struct {
	id        string
	paragraph string
}

// recallGrounds are the five grounds of §45, in its order (the policy's recall_grounds).
var recallGrounds = []recallGround{
	{"not_reattested", "§45(1)"},
	{"owner_application", "§45(2)"},
	{"audit_noncompliance", "§45(3)"},
	{"changed_conditions", "§45(4)"},
	{"operation_ceased", "§45(5)"},
}

// recallLabels is the fixed text of the copy of the decision to recall a certificate in each
// language. The grounds follow §45 of the Rules: the English the policy's wording of
// recall_grounds, the Russian and Kazakh the official texts' terms (отзыв аттестата, собственник
// или владелец, Предпринимательский кодекс; аттестатты кері қайтарып алу, меншік иесі немесе
// иеленушісі, Кәсіпкерлік кодекс), each as a phrase in the nominative, since it stands on its own
// line under "Ground for the recall".
var recallLabels = map[Lang]map[string]string{
	Kazakh: {
		recallTitle:        "№ {number} сәйкестік аттестатын кері қайтарып алу туралы ШЕШІМ",
		recallCopy:         "Аттестаттау объектісінің меншік иесіне (иеленушісіне) жіберілетін шешімнің көшірмесі",
		recallObject:       "Аттестаттау объектісі: {name}",
		recallOwnerNoID:    "Объектінің меншік иесі (иеленушісі): {name}",
		recallDecidedOn:    "Шешім қабылданған күн: {date}",
		recallGroundHead:   "Кері қайтарып алу негізі: {paragraph}",
		recallReasons:      "Шешімнің негіздемесі:",
		recallChange:       "Шешім өзгерістер туралы № {id} хабарламаға негізделген.",
		recallReturn:       "Аттестаттау объектісінің меншік иесі (иеленушісі) осы шешімнің көшірмесін алған күннен бастап үш жұмыс күні ішінде, {date} дейін, № {number} сәйкестік аттестатын Ақпараттық қауіпсіздік комитетіне қайтарады ({paragraph}) және қажет болған жағдайда Қағидаларда белгіленген тәртіппен аттестаттауға өтінім жібереді.",
		recallReturnOffice: "Аттестаттау объектісінің меншік иесі (иеленушісі) осы шешімнің көшірмесін Ақпараттық қауіпсіздік комитетінің кеңсесінде алған күннен бастап үш жұмыс күні ішінде № {number} сәйкестік аттестатын Комитетке қайтарады ({paragraph}) және қажет болған жағдайда Қағидаларда белгіленген тәртіппен аттестаттауға өтінім жібереді.",
		recallTerminated:   "Аттестаттар тізіліміне аттестаттау объектісін пайдаланудың тоқтатылғаны туралы белгі енгізілді.",
		recallDecidedBy:    "Шешім қабылдаған тұлға: {name}",
		recallPar:          "Қағидалардың {par}-тармағы",
		recallSubpar:       "Қағидалардың {par}-тармағының {sub}) тармақшасы",

		recallGroundPrefix + "not_reattested":      "Қағидалардың 41-тармағында көрсетілген талаптардың орындалмауы: аттестаттың қолданылу мерзімі өткеннен кейін аттестаттау объектісі қайта аттестатталмаған",
		recallGroundPrefix + "owner_application":   "Аттестаттау объектісінің меншік иесінің немесе иеленушісінің жазбаша өтініші",
		recallGroundPrefix + "audit_noncompliance": "Қазақстан Республикасының Кәсіпкерлік кодексіне сәйкес жүргізілген тексеру барысында анықталған аттестаттау объектісінің ақпараттық қауіпсіздік талаптарына сәйкес келмеуі",
		recallGroundPrefix + "changed_conditions":  "Аттестаттау объектісінің жұмыс істеу шарттары мен функционалдығының өзгеруі",
		recallGroundPrefix + "operation_ceased":    "Аттестаттау объектісін пайдаланудың тоқтатылуы",
	},
	Russian: {
		recallTitle:        "РЕШЕНИЕ об отзыве аттестата соответствия № {number}",
		recallCopy:         "Копия решения, направляемая собственнику (владельцу) объекта аттестации",
		recallObject:       "Объект аттестации: {name}",
		recallOwnerNoID:    "Собственник (владелец) объекта: {name}",
		recallDecidedOn:    "Дата принятия решения: {date}",
		recallGroundHead:   "Основание для отзыва: {paragraph}",
		recallReasons:      "Обоснование решения:",
		recallChange:       "Решение основано на уведомлении об изменениях № {id}.",
		recallReturn:       "Собственник (владелец) объекта аттестации в течение трех рабочих дней со дня получения копии настоящего решения, не позднее {date}, возвращает аттестат соответствия № {number} в Комитет информационной безопасности ({paragraph}) и при необходимости направляет заявку на аттестацию объекта аттестации в порядке, установленном Правилами.",
		recallReturnOffice: "Собственник (владелец) объекта аттестации в течение трех рабочих дней со дня получения копии настоящего решения в канцелярии Комитета информационной безопасности возвращает аттестат соответствия № {number} в Комитет ({paragraph}) и при необходимости направляет заявку на аттестацию объекта аттестации в порядке, установленном Правилами.",
		recallTerminated:   "В реестр аттестатов соответствия внесена отметка о прекращении эксплуатации объекта аттестации.",
		recallDecidedBy:    "Лицо, принявшее решение: {name}",
		recallPar:          "пункт {par} Правил",
		recallSubpar:       "подпункт {sub}) пункта {par} Правил",

		recallGroundPrefix + "not_reattested":      "Невыполнение требований, указанных в пункте 41 Правил: объект аттестации не аттестован повторно по истечении срока действия аттестата",
		recallGroundPrefix + "owner_application":   "Письменное заявление собственника или владельца объекта аттестации",
		recallGroundPrefix + "audit_noncompliance": "Несоответствие объекта аттестации требованиям информационной безопасности, выявленное в ходе проверки, проведенной в соответствии с Предпринимательским кодексом Республики Казахстан",
		recallGroundPrefix + "changed_conditions":  "Изменение условий функционирования и функциональности объекта аттестации",
		recallGroundPrefix + "operation_ceased":    "Прекращение эксплуатации объекта аттестации",
	},
	English: {
		recallTitle:        "DECISION to recall the certificate No. {number}",
		recallCopy:         "Copy of the decision sent to the owner (possessor) of the object of attestation",
		recallObject:       "Object of attestation: {name}",
		recallOwnerNoID:    "Owner (possessor) of the object: {name}",
		recallDecidedOn:    "Date of the decision: {date}",
		recallGroundHead:   "Ground for the recall: {paragraph}",
		recallReasons:      "Reasons for the decision:",
		recallChange:       "The decision rests on the notice of changes No. {id}.",
		recallReturn:       "The owner (possessor) of the object of attestation shall return the certificate No. {number} to the Information Security Committee within three working days of receiving the copy of this decision, by {date} ({paragraph}), and, when necessary, apply for the attestation of the object in the procedure of the Rules.",
		recallReturnOffice: "The owner (possessor) of the object of attestation shall return the certificate No. {number} to the Committee within three working days of receiving the copy of this decision at the office of the Information Security Committee ({paragraph}), and, when necessary, apply for the attestation of the object in the procedure of the Rules.",
		recallTerminated:   "A mark of termination is entered in the register of certificates: the operation of the object of attestation has ceased.",
		recallDecidedBy:    "Decided by: {name}",
		recallPar:          "§{par} of the Rules",
		recallSubpar:       "§{par}({sub}) of the Rules",

		recallGroundPrefix + "not_reattested":      "The object is not attested again after the certificate expired (§41 of the Rules)",
		recallGroundPrefix + "owner_application":   "A written application of the owner or possessor of the object",
		recallGroundPrefix + "audit_noncompliance": "Non-compliance with information security requirements found by an audit under the Entrepreneur Code of the Republic of Kazakhstan",
		recallGroundPrefix + "changed_conditions":  "Change of the conditions of functioning and functionality of the object",
		recallGroundPrefix + "operation_ceased":    "Cessation of operation of the object",
	},
}

// recallLabel returns the fixed text of key in l: a label of the copy of the recall decision, or
// else one of the certificate's. Every key exists in every language (a test proves it).
func recallLabel(l Lang, key string) string {
	if s, ok := recallLabels[l][key]; ok {
		return s
	}
	return label(l, key)
}
