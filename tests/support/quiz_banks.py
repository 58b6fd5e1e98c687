"""Quiz banks as other tools write them: a Moodle GIFT export and a text2qti file, for the import tests."""

MOODLE_BANK = r"""
// ARCP module – question bank
::arcp-o5:: The ARCP panel cannot judge progress because the ES report is missing. Which outcome is most likely? {
  ~Outcome 1 #Outcome 1 needs the evidence to be present.
  ~Outcome 3 #Outcome 3 is a judgement that progress was inadequate.
  =Outcome 5 #Correct – incomplete evidence presented.
  ~Outcome 6
  ####Outcome definitions are set out in the Gold Guide.
}

::sle:: Which are Supervised Learning Events? {
  ~%33.33333%Mini-CEX
  ~%33.33333%Case-based discussion
  ~%33.33334%Handover Assessment Tool
  ~%-100%Multi-source feedback #MSF is an Assessment of Performance.
}

::Terms and meanings:: Match each term to its meaning. {
  =IHS -> Immigration Health Surcharge
  =CNST -> NHS clinical negligence scheme for trusts in England
  =P87 -> HMRC form to claim tax relief on employment expenses
}

::refl-court:: Reflective notes in an ePortfolio can never be required by a court.
{F #AoMRC/GMC guidance\: they can currently be required by a court.#Right.}

Describe one change you will make before your next ES meeting. {}

Describe one change you will make before your next ES meeting. {}

How many framework areas are there? {#6..8}

Name the trainers' framework body. {=Academy of Medical Educators =AoME}
"""

TEXT2QTI = """Quiz title: ARCP outcomes – check-in
Quiz description: Formative; unlimited attempts.

Title: Outcome 5
Points: 2
1.  The ARCP panel cannot judge progress because the Educational Supervisor report is missing.
    Which outcome is most likely?
... Outcome definitions come from the Gold Guide.
a)  Outcome 1
... Outcome 1 needs the evidence to be present.
b)  Outcome 3
*c) Outcome 5
... Correct: "incomplete evidence presented".
d)  Outcome 6

2.  Which of these are Supervised Learning Events (SLEs) in RCPCH training?
[*] Mini-CEX
[*] Case-based discussion (CbD)
[ ] Multi-source feedback (MSF)

3.  How many curriculum domains are there?
=   11

4.  What is the square root of 2?
=   [1.41, 1.42]

5.  Name the ePortfolio platform.
*   risr/advance
*   Kaizen

6.  Reflect briefly on one piece of feedback you acted on this rotation.
____

7.  True or false: outcome 1 is satisfactory.
*a) True
b)  False
"""
