"""The words of the live pages in each language they are shown in (plan names are the plan's own)."""

from __future__ import annotations

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "controller": "Controller", "evaluator": "Evaluator", "clock": "Drill clock", "state": "State",
        "ready": "ready", "running": "running", "paused": "paused", "ended": "ended",
        "start": "Start", "pause": "Pause", "resume": "Resume", "end": "End the drill", "end_confirm": "Yes, end it",
        "msel": "MSEL", "inject": "Inject", "time": "Time", "actions": "Expected actions", "status": "Status",
        "deliver": "Deliver", "skip": "Skip", "contingency": "contingency", "scorecard": "Running scorecard",
        "requirement": "Requirement", "left": "left", "due": "due", "pending": "pending", "delivered": "delivered",
        "skipped": "skipped", "met": "met", "late": "late", "overdue": "overdue", "missed": "missed",
        "violated": "violated", "not-applicable": "not applicable", "not-evaluated": "not evaluated",
        "result": "Result", "aar": "After-Action Report", "sheet": "Live log (sheet)", "score": "Score",
        "rating": "Rating", "online": "online", "offline": "offline", "queued": "waiting to send",
        "stamps": "My stamps", "undo": "Undo", "correct": "Correct time", "note": "Note", "note_save": "Save note",
        "undone": "undone", "corrected": "corrected", "acked": "sent", "watching": "Watching",
        "evaluators": "Evaluators", "warnings": "Warnings", "new_time": "New time (hh:mm:ss)",
    },
    "zh": {
        "controller": "导调", "evaluator": "评估", "clock": "演练时钟", "state": "状态",
        "ready": "待开始", "running": "进行中", "paused": "已暂停", "ended": "已结束",
        "start": "开始", "pause": "暂停", "resume": "继续", "end": "结束演练", "end_confirm": "确认结束",
        "msel": "主情景事件清单", "inject": "注入", "time": "时间", "actions": "预期行动", "status": "状态",
        "deliver": "注入", "skip": "跳过", "contingency": "应变注入", "scorecard": "实时评分",
        "requirement": "要求", "left": "剩余", "due": "应注入", "pending": "待定", "delivered": "已注入",
        "skipped": "已跳过", "met": "达标", "late": "超时", "overdue": "已逾期", "missed": "未完成",
        "violated": "违反", "not-applicable": "不适用", "not-evaluated": "未评估",
        "result": "结果", "aar": "演练评估报告", "sheet": "实时记录 (表格)", "score": "得分",
        "rating": "评级", "online": "在线", "offline": "离线", "queued": "待发送",
        "stamps": "我的记录", "undo": "撤销", "correct": "更正时间", "note": "备注", "note_save": "保存备注",
        "undone": "已撤销", "corrected": "已更正", "acked": "已发送", "watching": "观察角色",
        "evaluators": "评估人员", "warnings": "警告", "new_time": "新时间 (时:分:秒)",
    },
}
