/** The scope a client asks for to read and send mail through the rig's IMAP and SMTP. */
export const RIG_MAIL_SCOPE = 'https://mail.rig.test/';
