"""The Japanese a seller reads for every key the domain and SPEC name: one table per kind, keyed by the
domain's own enums and tables, in the seeds' words where they have one (the claims manual's
status-count screen, 取引情報 and refund answer [claims §1-4, §4-2], the cancellation guide, the
service-point guide). tests/unit/test_labels.py fails when a key has no label here; nothing else in
the code writes a label."""

from domain.claims import CANCEL, EXCHANGE, NON_RECEIPT, RETURN, ClaimType, Status
from domain.money import ChargeStatus, PartialRefundStatus, RefundDestination, RefundKind
from domain.rules.guards import Delivery, Outcome
from domain.todo import Action

S = Status
DELAYED = "delayed"  # the dashboard's extra key per claim type (SPEC §3 Delayed)

CLAIM_TYPE = {
    ClaimType.CANCEL: "キャンセル",
    ClaimType.RETURN: "返品",
    ClaimType.EXCHANGE: "交換",
    ClaimType.NON_RECEIPT: "未受取通知",
}

# Every status of the claim table, without its type (where the type is already said, e.g. a row).
STATUS = {
    S.REQUESTED: "要請",
    S.IN_PROGRESS: "処理中",
    S.COMPLETED: "完了",
    S.REFUSED: "拒否",
    S.WITHDRAWN: "撤回",
    S.RETURNING: "返品中",
    S.ON_HOLD: "返品保留",
    S.COLLECTED: "回収完了/返金要請",
    S.ACCEPTED: "受付/承認済み",
    S.RESHIPPING: "再配送中",
    S.CONVERTED: "返品要請に変更",
    S.REFUNDING: "全額払い戻し中",
    S.REPORTED: "通知受付",
    S.SELLER_CONFIRMED: "出品者確認",
}

# (claim type, status or `delayed`) -> the seeds' name for it on the status-count screen and lists.
CLAIM_STATUS = {
    (CANCEL, S.REQUESTED): "キャンセル要請",
    (CANCEL, S.IN_PROGRESS): "キャンセル中",
    (CANCEL, S.COMPLETED): "キャンセル完了",
    (CANCEL, S.REFUSED): "キャンセル拒否",
    (CANCEL, S.WITHDRAWN): "キャンセル撤回",
    (CANCEL, DELAYED): "キャンセル遅延",
    (RETURN, S.REQUESTED): "返品要請",
    (RETURN, S.RETURNING): "返品中",
    (RETURN, S.ON_HOLD): "返品保留",
    (RETURN, S.COLLECTED): "回収完了/返金要請",
    (RETURN, S.COMPLETED): "返品完了",
    (RETURN, S.WITHDRAWN): "返品撤回",
    (RETURN, DELAYED): "返品遅延",
    (EXCHANGE, S.REQUESTED): "交換申請/確認",
    (EXCHANGE, S.ACCEPTED): "交換受付/承認",
    (EXCHANGE, S.RESHIPPING): "再配送中",
    (EXCHANGE, S.CONVERTED): "交換要請を返品要請に変更",
    (EXCHANGE, S.REFUNDING): "全額払い戻し(返金待ち)",
    (EXCHANGE, S.COMPLETED): "交換完了(全額返金)",
    (EXCHANGE, S.WITHDRAWN): "交換撤回",
    (EXCHANGE, DELAYED): "交換遅延",
    (NON_RECEIPT, S.REPORTED): "通知受付",
    (NON_RECEIPT, S.SELLER_CONFIRMED): "出品者確認",
    (NON_RECEIPT, S.REFUNDING): "全額返金(返金待ち)",
    (NON_RECEIPT, S.COMPLETED): "未受取完了(全額返金)",
    (NON_RECEIPT, S.WITHDRAWN): "未受取撤回/受取確認",
    (NON_RECEIPT, DELAYED): "確認遅延",
}

# Reasons are free text in the contract; these are the codes the seeds and the upstream systems use.
# A reason that is not a code (a buyer's own words) is shown as it was written.
REASON = {
    "out_of_stock": "品切れ",
    "shipping_delay": "配送遅延",
    "buyer_reason": "購入者都合によるキャンセル",
    "ordered_by_mistake": "注文ミス",
    "found_cheaper": "他店でより安く購入",
    "no_longer_needed": "不要になった",
    "wrong_option": "オプションの選択間違い",
    "damaged": "商品の欠陥・破損",
    "not_as_described": "商品説明と異なる",
    "changed_mind": "購入者の気が変わった",
    "wrong_item": "別の商品が届いた",
    "already_packed": "発送準備済み",
    "already_shipped": "発送済み",
    "made_to_order": "オーダーメイド商品",
}

RESPONSIBILITY = {"buyer": "購入者都合", "seller": "販売店都合"}
COST_BEARER = {"buyer": "購入者", "seller": "販売者"}

# Where a refund goes [claims §4-2]: the buyer's Q-site balance, or the card company.
REFUND_TO = {
    RefundDestination.QSITE_BALANCE: "購入者のQサイト残高(Qサイフ・MyQoo10で確認)",
    RefundDestination.CARD_COMPANY: "カード会社(購入者はQoo10カスタマーセンターへ)",
}
PAYMENT_METHOD = {"cash": "現金", "card": "クレジットカード", "qcash": "Qキャッシュ"}
REFUND_KIND = {
    RefundKind.CANCEL: "キャンセル返金",
    RefundKind.RETURN: "返品返金",
    RefundKind.FULL: "全額払い戻し",
    RefundKind.PARTIAL: "一部払戻し",
}
CHARGE_STATUS = {
    ChargeStatus.REQUESTED: "請求中",
    ChargeStatus.PAID: "支払済み",
    ChargeStatus.DECLINED: "支払不可(残高不足)",
    ChargeStatus.CANCELLED: "請求をキャンセル",
}
PARTIAL_REFUND_STATUS = {
    PartialRefundStatus.REQUESTED: "申請中",
    PartialRefundStatus.APPROVED: "承認済み",
    PartialRefundStatus.REJECTED: "却下",
    PartialRefundStatus.CANCELLED: "請求をキャンセル",
}
PARTIAL_REFUND_CATEGORY = {"quantity_error": "数の間違い", "price_or_shipping": "商品代金および送料の返金"}

LEVEL = {"power": "パワーセラー", "excellent": "優良セラー", "general": "一般セラー"}

SETTLEMENT_STATE = {
    "pending": "配送完了待ち",
    "blocked": "精算保留",
    "eligible": "精算予定",
    "due": "精算日到来",
    "closed": "精算なし",
}
# What blocks an order's settlement besides its open claim (SPEC §9 Settlement rows).
BLOCKER = {"partial_refund": "一部払戻し(承認待ち)", "return_charge": "返品追加金(支払待ち)"}

DELIVERY = {
    Delivery.NEW: "新規注文",
    Delivery.PREPARING: "発送準備済み",
    Delivery.SHIPPING: "配送中",
    Delivery.DELIVERED: "配送完了",
}
OUTCOME = {Outcome.CANCELLED: "キャンセル済み", Outcome.REFUNDED: "返金済み"}
DELIVERED_BY = {"tracking": "配送追跡", "buyer": "購入者の受取確認", "auto": "システムによる自動配送完了"}
ITEM_KIND = {"general": "一般商品", "reservation": "予約商品", "made_to_order": "オーダーメイド商品"}
REGION = {"local": "国内", "overseas": "海外"}
NON_RECEIPT_ANSWER = {"wait": "商品到着まで待ってもらう", "reship": "商品を再送する"}

ACTOR = {
    "buyer": "購入者",
    "seller": "販売者",
    "marketplace": "Qoo10",
    "system": "システム",
    "carrier": "配送会社",
    "payment": "決済",
}

# The service-point ledger's lines [points].
POINT_LINE = {
    "delivery.local": "配送点数(国内)",
    "delivery.overseas": "配送点数(海外)",
    "claims.cancel": "クレーム点数: キャンセル",
    "claims.return": "クレーム点数: 返品",
    "claims.non_receipt": "クレーム点数: 未受取申告",
    "feedback.great": "フィードバック点数: 超おすすめ",
    "feedback.good": "フィードバック点数: おすすめ",
    "feedback.bad": "フィードバック点数: おすすめしない",
    "total": "総ポイント",
}
RATING = {"great": "超おすすめ", "good": "おすすめ", "bad": "おすすめしない"}

# The to-do list's next step expected of the seller (SPEC §6.4).
STEP = {
    Action.APPROVE_OR_REFUSE_CANCEL: "キャンセル要請を承認または拒否",
    Action.SHIP_REFUSED_CANCEL: "キャンセル拒否: 本日中に発送",
    Action.APPROVE_RETURN: "返品要請を承認",
    Action.CONFIRM_COLLECTION: "商品が戻ったら回収完了",
    Action.ACCEPT_EXCHANGE: "交換申請を受付",
    Action.RESHIP_EXCHANGE: "交換品を再配送",
    Action.ASK_BUYER_TO_WITHDRAW: "購入者に撤回 / 受取確認を依頼",
    Action.ASK_MARKETPLACE_TO_WITHDRAW: "Qoo10に撤回を依頼",
    Action.ANSWER_NON_RECEIPT: "未受取通知に回答",
    Action.AWAIT_REFUND: "返金の完了待ち",
}

ROLE = {"seller": "販売者", "analyst": "分析担当", "auditor": "監査担当", "operator": "運用担当"}  # the API keys' roles

INQUIRY_STATUS = {"waiting": "回答待ち", "answered": "回答完了", "hidden": "非公開"}

# Every rejection code of SPEC §4, §6.3 and §10: what the seller reads instead of the code.
CODE = {
    "unknown_order": "存在しない注文です",
    "order_exists": "この注文はすでに登録されています",
    "claim_open": "別のクレームが処理中です",
    "no_open_claim": "処理中のクレームがありません",
    "invalid_transition": "現在の状態ではこの操作はできません",
    "actor_not_allowed": "この操作を行う権限がありません",
    "refusal_not_allowed": "新規注文・配送遅延の注文はキャンセル拒否できません",
    "invalid_reason": "販売店都合のキャンセル理由は品切れ・配送遅延のみです",
    "already_shipped": "発送済みのため販売店都合キャンセルはできません",
    "already_delivered": "配送完了後のキャンセルはできません(返品になります)",
    "not_delivered": "配送完了前のためこの操作はできません",
    "amount_invalid": "金額が正しくありません",
    "not_buyer_responsible": "販売店都合の返品には返品追加金を請求できません",
    "no_buyer_contact": "クレーム受付後に購入者へのメッセージがないため撤回できません",
    "tracking_required": "再配送には送り状番号が必要です",
    "out_of_order": "注文の最新の処理より前の日時です",
    "duplicate_conflict": "同じメッセージIDで内容の異なるメッセージです",
    "unknown_inquiry": "存在しないお問い合わせです",
    "inquiry_exists": "このお問い合わせはすでに登録されています",
    "not_answered": "回答前のお問い合わせは非公開にできません",
    "already_hidden": "このお問い合わせはすでに非公開です",
    "asker_restricted": "この購入者はこの商品へのお問い合わせを制限されています",
    "already_exchanged": "この月のポイントはすでに交換済みです",
    "exchange_window_closed": "交換できるのは前月分のポイントのみです",
    "nothing_to_exchange": "交換できるポイントがありません(100ポイント未満)",
}

# A seller's actions (SPEC §4 seller messages, §8 "Seller actions"): the order page's buttons.
ACTION = {
    "order.prepared": "発送準備中にする",
    "order.shipped": "発送する",
    "cancel.approved": "キャンセルを承認する",
    "cancel.refused": "キャンセルを拒否する",
    "cancel.seller_initiated": "販売店都合でキャンセルする",
    "return.approved": "返品を承認する",
    "return.held": "返品を保留する",
    "return.resumed": "返品の保留を解除する",
    "return.collected": "回収完了を確認する",
    "return_charge.requested": "返品追加金を請求する",
    "return_charge.cancelled": "返品追加金の請求を取り消す",
    "exchange.accepted": "交換を受け付ける",
    "exchange.reshipped": "交換品を再配送する",
    "exchange.converted_to_return": "交換を返品に切り替える",
    "non_receipt.answered": "未受取通知に回答する",
    "claim.refunded_in_full": "全額返金する",
    "partial_refund.requested": "一部払戻しを申請する",
    "partial_refund.cancelled": "一部払戻しの申請を取り消す",
    "message.sent": "購入者にメッセージを送る",
    "inquiry.answered": "お問い合わせに回答する",
    "inquiry.hidden": "お問い合わせを非公開にする",
}

# Where a seller's action came from (an event's `origin.via`).
VIA = {"web": "販売者画面", "api": "販売者API"}

# An action's outcome as the page tells it.
ACTION_OUTCOME = {
    "accepted": "受け付けました",
    "duplicate": "この操作はすでに受け付け済みです(二重送信は一度だけ処理されます)",
    "rejected": "受け付けられませんでした",
    "parked": "処理中に障害が発生しました。運用担当に連絡してください",
    "invalid": "入力内容に誤りがあります",
    "unknown": "この操作の記録はありません",
    "pending": "送信しました。処理待ちです(処理されると、このページを再読み込みしたときに結果が表示されます)",
}

# A rejected action: what the seller can do about it, by its code (shown with the code).
WHAT_TO_DO = {
    "invalid": "次の項目を直して、もう一度送信してください:",
    "unknown_order": "注文番号を確かめてください。",
    "order_exists": "すでに登録済みです。操作は不要です。",
    "claim_open": "処理中のクレームを先に完了させてください。",
    "no_open_claim": "このクレームはすでに終了しています。ページを再読み込みして現在の状態を確かめてください。",
    "invalid_transition": "ページを再読み込みして、今の状態で選べる操作から選んでください。",
    "actor_not_allowed": "この操作は購入者またはQoo10が行います。必要ならQoo10に依頼してください。",
    "refusal_not_allowed": "新規注文・配送遅延の注文はキャンセル拒否できません。キャンセルを承認してください。",
    "invalid_reason": "理由は品切れか配送遅延を選んでください。",
    "already_shipped": "発送済みの注文は販売店都合でキャンセルできません。購入者からの返品の申請を待ってください。",
    "already_delivered": "配送完了後のキャンセルはできません。返品として対応してください。",
    "not_delivered": "配送完了後にもう一度操作してください。",
    "amount_invalid": "1円以上、返金できる残額以下の金額(数量)を入力してください。",
    "not_buyer_responsible": "販売店都合の返品には返品追加金を請求できません。",
    "no_buyer_contact": "先に購入者へメッセージを送ってください。",
    "tracking_required": "送り状番号を入力してください。送り状番号が再配送の証拠になります。",
    "out_of_order": "この注文にはより新しい処理があります。ページを再読み込みしてください。",
    "duplicate_conflict": "このフォームはすでに別の内容で送信されています。ページを再読み込みしてからやり直してください。",
}

# The Order's events as the history's timeline names them.
EVENT = {
    "Placed": "注文",
    "Prepared": "発送準備済み",
    "Shipped": "発送",
    "Delivered": "配送完了",
    "CancelRequested": "キャンセル要請",
    "CancelledBySeller": "販売店都合キャンセル",
    "CancelApproved": "キャンセル承認",
    "CancelRefused": "キャンセル拒否",
    "ReturnRequested": "返品要請",
    "ReturnApproved": "返品要請受付/承認",
    "ReturnHeld": "返品保留",
    "ReturnResumed": "返品保留の解除",
    "ReturnCollected": "回収完了/返金要請",
    "ExchangeRequested": "交換申請",
    "ExchangeAccepted": "交換の受付/承認",
    "ExchangeReshipped": "交換再配送の処理",
    "ExchangeConvertedToReturn": "交換要請を返品要請に変更",
    "NonReceiptReported": "未受取通知",
    "NonReceiptAnswered": "未受取通知に回答",
    "RefundedInFull": "全額払い戻し",
    "ClaimWithdrawn": "クレーム撤回",
    "ReceiptConfirmed": "受取確認",
    "RefundPaid": "返金完了",
    "ReturnChargeRequested": "返品追加金の請求",
    "ReturnChargePaid": "返品追加金の支払い",
    "ReturnChargeDeclined": "返品追加金の支払不可",
    "ReturnChargeCancelled": "返品追加金の請求をキャンセル",
    "PartialRefundRequested": "一部払戻しの申請",
    "PartialRefundApproved": "一部払戻しの承認",
    "PartialRefundRejected": "一部払戻しの却下",
    "PartialRefundCancelled": "一部払戻しの請求をキャンセル",
    "BuyerMessaged": "お客様へのメッセージ",
    "FeedbackGiven": "購入者の評価",
}

# The fields of the Order's events, as 取引情報 names them (nested ones by their path).
FIELD = {
    "order_no": "注文番号",
    "origin.via": "操作元",
    "origin.key_id": "操作したAPIキー",
    "text": "メッセージ",
    "until": "お待ちいただく期日",
    "action": "対応",
    "message": "購入者へのメッセージ",
    "confirm": "取り消せない操作であることを確認しました",
    "restrict_asker": "この購入者からの今後のお問い合わせを制限する",
    "title": "タイトル",
    "cart_no": "カート番号",
    "seller_id": "販売者ID",
    "buyer": "購入者",
    "buyer.id": "購入者ID",
    "buyer.name": "購入者名",
    "buyer.phone": "購入者連絡先",
    "buyer.address": "配送先",
    "item": "商品",
    "item.item_no": "商品番号",
    "item.name": "商品名",
    "item.option": "オプション情報",
    "quantity": "数量",
    "unit_price": "単価",
    "shipping_fee": "送料",
    "payment_method": "決済手段",
    "item_kind": "商品区分",
    "region": "配送地域",
    "promised_ship_date": "発送予定日",
    "carrier": "配送会社",
    "tracking_no": "送り状番号",
    "trackable": "追跡可能",
    "by": "配送完了の方法",
    "claim_type": "クレーム",
    "status": "処理状態",
    "reason": "理由",
    "responsibility": "責任",
    "attachments": "添付ファイル",
    "refund": "返金額",
    "outcome": "取引結果",
    "note": "メモ",
    "memo": "販売者メモ",
    "cost_bearer": "再配送時の送料負担者",
    "reship_date": "再配送日",
    "recipient": "受取人",
    "recipient.name": "受取人名",
    "recipient.phone": "受取人連絡先",
    "recipient.address": "再配送時の住所",
    "exchange_status": "交換の処理状態",
    "answer": "回答",
    "answer.action": "対応",
    "answer.until": "お待ちいただく期日",
    "answer.carrier": "配送会社",
    "answer.tracking_no": "送り状番号",
    "answer.message": "購入者へのメッセージ",
    "amount": "金額",
    "kind": "返金の種類",
    "category": "カテゴリー",
    "rating": "評価",
}

# kind -> its table, for the one lookup the templates use (`value | ja('kind')`).
TABLES = {
    "claim_type": CLAIM_TYPE,
    "status": STATUS,
    "reason": REASON,
    "responsibility": RESPONSIBILITY,
    "cost_bearer": COST_BEARER,
    "refund_to": REFUND_TO,
    "payment_method": PAYMENT_METHOD,
    "refund_kind": REFUND_KIND,
    "charge_status": CHARGE_STATUS,
    "partial_refund_status": PARTIAL_REFUND_STATUS,
    "category": PARTIAL_REFUND_CATEGORY,
    "level": LEVEL,
    "settlement_state": SETTLEMENT_STATE,
    "blocker": BLOCKER,
    "delivery": DELIVERY,
    "outcome": OUTCOME,
    "delivered_by": DELIVERED_BY,
    "item_kind": ITEM_KIND,
    "region": REGION,
    "answer_action": NON_RECEIPT_ANSWER,
    "actor": ACTOR,
    "point_line": POINT_LINE,
    "rating": RATING,
    "step": STEP,
    "inquiry_status": INQUIRY_STATUS,
    "role": ROLE,
    "code": CODE,
    "action": ACTION,
    "via": VIA,
    "action_outcome": ACTION_OUTCOME,
    "what_to_do": WHAT_TO_DO,
    "event": EVENT,
    "field": FIELD,
}
FREE_TEXT = {"reason"}  # kinds whose values may be a person's own words, shown as written

# The columns of the lists and of the summary, as headers (a page's and a spreadsheet's).
COLUMN = {
    "status": "処理状態",
    "completed_at": "完了日",
    "reason": "理由",
    "requested_at": "要請日",
    "order_date": "注文日",
    "shipped_at": "発送日",
    "order_no": "注文番号",
    "cart_no": "カート番号",
    "item": "商品",
    "buyer_name": "購入者名",
    "quantity": "数量",
    "refund_to": "返金先",
    "seller_id": "販売者ID",
    "open": "処理中のクレーム",
    "delayed": "遅延",
    "refusal_breaches": "キャンセル拒否後の未発送",
    "held_back": "精算保留額(円)",
    "held_back_orders": "精算保留の注文数",
    "orders": "注文数",
    "claims": "クレーム件数",
    "claims_per_100_orders": "注文100件あたりのクレーム件数",
    "delayed_share": "処理中のうち遅延(%)",
    "awaiting_refund.exchange": "返金待ち: 交換",
    "awaiting_refund.non_receipt": "返金待ち: 未受取",
    "total": "合計",
}
TOTAL = COLUMN["total"]
TABLES["column"] = COLUMN

# What `verify` found (store/audit.py, store/evidence.py: each `find(kind, …)`), as the audit page groups it.
VERIFY_FINDING = {
    "event altered": "イベントの改ざん",
    "event forged or altered": "イベントの偽造・改ざん (鍵タグ不一致)",
    "event inserted": "イベントの挿入",
    "events inserted": "チェックポイントにないイベント",
    "event removed": "イベントの削除",
    "events removed": "イベントの削除 (チェックポイント以降)",
    "events deleted": "集約のイベントの全削除",
    "events removed or reordered": "イベントの欠落・順序の入れ替え",
    "order deleted": "注文の削除",
    "chain links removed": "チェーンのリンクの削除",
    "log truncated": "ログの切り詰め",
    "checkpoint mismatch": "チェックポイントとの不一致",
    "checkpoint not signed by the service": "サービスの署名がないチェックポイント",
    "checkpoint removed": "チェックポイントの削除",
    "checkpoint replaced": "チェックポイントの差し替え",
    "checkpoint leaves altered": "チェックポイントの葉の改ざん",
    "store differs from the exported checkpoint": "書き出したチェックポイントとの不一致",
    "keyed links record altered": "鍵付きリンク開始位置の記録の改ざん",
    "keyed links record removed": "鍵付きリンク開始位置の記録の削除",
    "not in a checkpoint": "チェックポイントに未収録",
    "no events": "イベントなし (存在しない注文、またはイベントの全削除)",
    "inclusion proof fails": "包含証明の不一致",
}
# What a finding names (its aggregate's natural key: store/audit.natural_name), by the key's first word.
AUDITED = {
    "order": "注文", "cart": "カート", "seller": "販売者", "buyer": "購入者", "inquiry": "お問い合わせ",
    "item": "商品", "message": "メッセージ", "parked message": "保留中のメッセージ", "checkpoint": "チェックポイント", "the log": "ログ全体",
    "the store": "ストアの記録",
}
# A verify job's states (entrypoints/verify_jobs.py).
VERIFY_STATE = {"running": "検証中", "done": "完了", "failed": "中断 (エラー)"}
TABLES.update({"verify_finding": VERIFY_FINDING, "audited": AUDITED, "verify_state": VERIFY_STATE})
# The analysts' trends (/trends, issue 22): figures per week or month.
TREND = {
    "filed": "クレーム件数",
    "per_100_delivered": "配送完了100件あたりのクレーム件数",
    "delayed": "遅延したクレーム",
    "delayed_share": "遅延の割合",
    "refund_yen": "返金額(円)",
    "orders_delivered": "配送完了の注文",
    "partial_refund_yen": "一部払戻し",
    "refusal_breaches": "キャンセル拒否後の未発送",
    "points": "サービスポイント",
    "all": "すべて",
    "period": "期間",
    "so_far": "集計中",
}
PERIOD = {"week": "週ごと", "month": "月ごと"}
TABLES["trend"] = TREND
TABLES["period"] = PERIOD
