/* LTI Dynamic Registration: tell the platform the registration is finished so it can close this window. */
(window.opener || window.parent).postMessage({subject: "org.imsglobal.lti.close"}, "*");
