// The messaging module's exports (re-exported by the package's src/index.ts).
export { MAX_MEDIA_URLS, MAX_MESSAGE_TEXT_LENGTH, type SenderDefaults } from './message-request-check.js';
export type { MessagingClient, MmsRequest, SentMessage, SmsRequest } from './messaging-client.js';
export {
  describeMessagingFailure,
  MessagingError,
  type MessagingErrorCode,
  type MessagingErrorContext,
  type MessagingFailure,
} from './messaging-error.js';
export type { InboundMessage, MessageDeliveryStatus, MessageStatusEvent } from './messaging-events.js';
export { isE164 } from './phone-number.js';
export { SendSmsArgumentsError } from './send-sms-arguments-error.js';
export {
  type SendSmsArguments,
  type SendSmsResult,
  type SendSmsToolOptions,
  sendSmsFunction,
} from './send-sms-tool.js';
export {
  SMS_CARRIER_KEYWORDS,
  SmsAgent,
  type SmsAgentOptions,
  type SmsAgentOutcome,
} from './sms-agent.js';
export {
  InMemorySmsConversationStore,
  type InMemorySmsConversationStoreOptions,
  type SmsConversationKey,
  type SmsConversationStore,
  smsConversationId,
  trimSmsHistory,
} from './sms-conversation-store.js';
