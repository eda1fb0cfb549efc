-- The questionnaires agents read during a follow-up call (DESIGN.md section 2), seeded as
-- version 1 of each kind. A dealership that redesigns one adds version 2 and deactivates
-- this one: completed follow-ups point at the template they were scored against, so a
-- template is never edited in place.
--
-- Every question is scored 0..max. A total below pass_score, or any single answer at or
-- below its question's floor, makes the follow-up dissatisfied (domain/questionnaires.py).

INSERT INTO questionnaire_templates (kind, version, title, questions, pass_score) VALUES
('sales', 1,
 $json${"zh-CN": "新车销售满意度回访", "en": "New-car sales satisfaction follow-up"}$json$,
 $json$[
  {"id": "q1", "max": 10, "floor": 6, "text": {
    "zh-CN": "您对本次在我店购车的整体体验打几分？（0到10分）",
    "en": "How would you rate your overall experience of buying your car with us? (0 to 10)"}},
  {"id": "q2", "max": 10, "floor": 6, "text": {
    "zh-CN": "您对销售顾问的产品知识和讲解专业程度打几分？",
    "en": "How would you rate the sales consultant's knowledge of the car?"}},
  {"id": "q3", "max": 10, "floor": 6, "text": {
    "zh-CN": "您对试乘试驾的安排以及试驾车的整洁程度打几分？",
    "en": "How would you rate the test drive and the cleanliness of the test-drive car?"}},
  {"id": "q4", "max": 10, "floor": 6, "text": {
    "zh-CN": "销售顾问在价格、费用和优惠政策上是否诚信透明？您打几分？",
    "en": "How honest and transparent was the consultant about prices, fees and offers?"}},
  {"id": "q5", "max": 10, "floor": 6, "text": {
    "zh-CN": "交车时，车辆的配置和状况是否与购车时约定的一致？您打几分？",
    "en": "At delivery, were the car's equipment and condition as promised when you bought it?"}},
  {"id": "q6", "max": 10, "floor": 6, "text": {
    "zh-CN": "交车后，销售顾问是否主动联系您、关心您的用车情况？您打几分？",
    "en": "After the sale, how well did the consultant keep in touch with you?"}},
  {"id": "q7", "max": 10, "floor": 6, "text": {
    "zh-CN": "购车时我店对您的各项承诺（赠品、服务等）是否都已兑现？您打几分？",
    "en": "Have all the promises made when you bought the car (gifts, services) been kept?"}},
  {"id": "q8", "max": 10, "floor": 6, "text": {
    "zh-CN": "您对加装的精品附件及其安装质量打几分？",
    "en": "How would you rate the accessories and extras you chose and how they were fitted?"}}
 ]$json$,
 64),
('service', 1,
 $json${"zh-CN": "售后维修保养满意度回访", "en": "Service visit satisfaction follow-up"}$json$,
 $json$[
  {"id": "q1", "max": 10, "floor": 6, "text": {
    "zh-CN": "您对本次预约和到店接待的便利程度打几分？（0到10分）",
    "en": "How would you rate booking the visit and your reception at the workshop? (0 to 10)"}},
  {"id": "q2", "max": 10, "floor": 6, "text": {
    "zh-CN": "服务顾问对维修保养项目和费用的解释是否清楚？您打几分？",
    "en": "How clearly did the service advisor explain the work and its cost?"}},
  {"id": "q3", "max": 10, "floor": 6, "text": {
    "zh-CN": "车辆问题是否一次修好？您对维修保养的质量打几分？",
    "en": "Was the car fixed right the first time? How would you rate the quality of the work?"}},
  {"id": "q4", "max": 10, "floor": 6, "text": {
    "zh-CN": "车辆是否按约定的时间交付？您打几分？",
    "en": "Was the car ready on time, as promised?"}},
  {"id": "q5", "max": 10, "floor": 6, "text": {
    "zh-CN": "交车时车辆内外是否干净整洁？您打几分？",
    "en": "Was the car clean inside and out when it was handed back to you?"}},
  {"id": "q6", "max": 10, "floor": 6, "text": {
    "zh-CN": "您对本次售后服务的整体满意度打几分？",
    "en": "Overall, how satisfied are you with this service visit?"}}
 ]$json$,
 48),
('complaint_check', 1,
 $json${"zh-CN": "投诉处理结果回访", "en": "Complaint resolution check call"}$json$,
 $json$[
  {"id": "q1", "max": 10, "floor": 6, "text": {
    "zh-CN": "您对这次投诉的处理结果满意吗？请打分（0到10分）。",
    "en": "How satisfied are you with how your complaint was resolved? (0 to 10)"}},
  {"id": "q2", "max": 10, "floor": 6, "text": {
    "zh-CN": "您对处理过程中工作人员的响应速度和服务态度打几分？",
    "en": "How would you rate our staff's speed and attitude while handling it?"}}
 ]$json$,
 16);
