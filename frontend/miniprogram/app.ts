// Nothing to do at launch: the first page (sign-in) forwards signed-in users to their
// invoices, and every other page checks the token itself (utils/page.ts requireSignIn).
App({});
