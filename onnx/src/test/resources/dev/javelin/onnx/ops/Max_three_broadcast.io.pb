	test_data*Binput:x0J
×c?¼t¾u“ˆ?* Binput:x1J‰A`>+·¿œÄ ¿ÍÌ,¿*"Binput:x2JZÄ¿¸µ¿9´¸¿•ƒ¾*CB	output:y0J0
×c?
×c?
×c?
×c?‰A`>¼t¾¼t¾¼t¾u“ˆ?u“ˆ?u“ˆ?u“ˆ?