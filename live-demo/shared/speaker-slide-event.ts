/** Follow the speaker: the dev server's HMR event a speaker's window sends on each slide change. */
export const SPEAKER_SLIDE_EVENT = 'kop:speaker-slide'

export interface SpeakerSlideMessage {
  slide: number
}
